import Synchronization

/// A received message the inbox can weigh.
package protocol InboxMessage: Sendable {
    /// The payload bytes it holds (what the inbox counts against `SocketLimits.inboxBytes`).
    var byteCount: Int { get }
}

extension Array: InboxMessage where Element == Frame {
    /// The sum of the frames' sizes.
    package var byteCount: Int { reduce(0) { $0 + $1.count } }
}

/// The messages a socket thread received, in order, for one consumer. An `AsyncStream` underneath, with
/// back-pressure: while more than `SocketLimits.inboxMessages` or `inboxBytes` wait here, the socket thread
/// stops reading, so libzmq's receive high-water mark and TCP slow the sender down. It finishes when the
/// endpoint closes (after the messages already received).
package struct Inbox<Message: InboxMessage>: AsyncSequence, Sendable {
    package typealias Element = Message
    let stream: AsyncStream<Message>
    let gate: InboxGate

    /// Iterates the inbox.
    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Message>.AsyncIterator
        let gate: InboxGate

        /// The next message, or nil once the endpoint has closed and everything was taken.
        package mutating func next() async -> Message? {
            guard let message = await base.next() else { return nil }
            gate.taken(bytes: message.byteCount)
            return message
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), gate: gate)
    }
}

/// Counts what waits in an inbox, tells the socket thread whether to read, and wakes it when the
/// consumer has made room again (below half of each limit).
final class InboxGate: Sendable {
    private struct Level {
        var messages = 0
        var bytes = 0
        var paused = false
    }

    private let level = Mutex(Level())
    private let maxMessages: Int
    private let maxBytes: Int
    private let wake: WakeSignal

    init(limits: SocketLimits, wake: WakeSignal) {
        maxMessages = max(1, limits.inboxMessages)
        maxBytes = max(1, limits.inboxBytes)
        self.wake = wake
    }

    /// True if the socket thread may read another message; false pauses it until `taken` makes room.
    func hasRoom() -> Bool {
        level.withLock { level in
            let room = level.messages < maxMessages && level.bytes < maxBytes
            level.paused = !room
            return room
        }
    }

    /// A message of `bytes` went into the inbox.
    func admitted(bytes: Int) {
        level.withLock { $0.messages += 1; $0.bytes += bytes }
    }

    /// The consumer took a message of `bytes`.
    func taken(bytes: Int) {
        let resume = level.withLock { level in
            level.messages -= 1
            level.bytes -= bytes
            guard level.paused, level.messages <= maxMessages / 2, level.bytes <= maxBytes / 2 else { return false }
            level.paused = false
            return true
        }
        if resume { wake.signal() }
    }
}
