/// One preference pair: a prompt and two responses, the preferred one first. The scored text of each
/// side is `prompt + chosen` and `prompt + rejected`.
public struct PreferencePair: Sendable, Equatable {
    /// The shared prompt.
    public var prompt: String
    /// The preferred response.
    public var chosen: String
    /// The other response.
    public var rejected: String
    /// What the pair belongs to for splitting (a DExperts prompt id), or nil.
    public var group: String?

    /// Creates a pair.
    public init(prompt: String, chosen: String, rejected: String, group: String? = nil) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.group = group
    }
}
