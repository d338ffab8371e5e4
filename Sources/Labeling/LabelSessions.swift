import Foundation

/// The labeling app's sessions, in memory: a person who opened the link with the token gets a session
/// (an unguessable id in a cookie) with its own CSRF token and, once given, the annotator's name. At most
/// `capacity` sessions are kept (the oldest go first), so no stream of requests grows memory without end.
package final class LabelSessions: @unchecked Sendable {
    /// One browser's session.
    package struct Session: Sendable, Equatable {
        package var csrf: String
        package var annotator: String?
        var created: UInt64
    }

    private let lock = NSLock()
    private var sessions: [String: Session] = [:]
    private var clock: UInt64 = 0
    private let capacity: Int

    package init(capacity: Int = 10_000) { self.capacity = capacity }

    /// A new session; its id.
    package func open() -> String {
        let id = Self.randomToken(), csrf = Self.randomToken()
        return lock.withLock {
            clock += 1
            if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.created < $1.value.created })?.key {
                sessions[oldest] = nil
            }
            sessions[id] = Session(csrf: csrf, annotator: nil, created: clock)
            return id
        }
    }

    /// The session `id`, if it is one.
    package func session(_ id: String?) -> Session? {
        guard let id else { return nil }
        return lock.withLock { sessions[id] }
    }

    /// Names the annotator of session `id`.
    package func setAnnotator(_ name: String, for id: String) {
        lock.withLock { sessions[id]?.annotator = name }
    }

    /// 32 random bytes as 64 hex digits.
    package static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Whether `a` equals `b`, in a time that does not depend on where they differ.
    package static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
