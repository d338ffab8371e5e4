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
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static let system: ChatRole = "system"
    public static let user: ChatRole = "user"
    public static let assistant: ChatRole = "assistant"
}
