/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable, Hashable {
    /// Who speaks: "system", "user", "assistant", or another role the template writes as it is.
    public var role: ChatRole
    /// What they say.
    public var content: String

    /// A message from `role`.
    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    /// An assistant message.
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

/// The role of a chat message, by name (as chat templates write it).
public struct ChatRole: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The role's name as chat templates write it.
    public var rawValue: String

    /// A role named `rawValue`.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A role named by a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A one-line description.
    public var description: String { rawValue }

    /// The system prompt's role.
    public static let system: ChatRole = "system"
    /// The user's role.
    public static let user: ChatRole = "user"
    /// The model's role.
    public static let assistant: ChatRole = "assistant"
}
