import CZeroMQ
import Foundation
import Logging
import Synchronization

/// One libzmq socket and the thread that owns it. Nothing else touches the socket: async code hands
/// sends over through a locked queue and a `WakeSignal`, and receives from an `Inbox`. The thread blocks
/// in `zmq_poll` (on the socket and the wake-up pipe), never a Swift task.
///
/// Sends leave in the order they were queued, per peer; a send whose peer's queue is full (`EAGAIN`)
/// waits on the thread, and sends to other peers go past it, until `SocketLimits.sendTimeout`.
final class SocketThread<Message: InboxMessage>: @unchecked Sendable {
    /// What the thread does once at start: create, configure and bind or connect the socket.
    struct Setup: Sendable {
        /// Runs on the socket thread; returns the socket and the endpoint it ended up on.
        var open: @Sendable () throws(ZMQError) -> (SocketHandle, endpoint: String)
        /// Runs on the socket thread after the socket is closed.
        var cleanup: @Sendable () -> Void = {}
        /// Turns the frames of one received multipart message into an inbox message (nil: drop it).
        var assemble: @Sendable ([ReceivedMessage]) -> Message?
        /// True for a `ROUTER`: the first frame of a send is the peer's routing id, and a full peer queue
        /// is retried on a timer (libzmq's `POLLOUT` on a ROUTER says nothing about one peer). A router's
        /// unauthenticated connections are bounded (`ConnectionGuard`, `SocketLimits.maxUnauthenticated`).
        var isRouter: Bool
    }

    struct SendRequest {
        var frames: [Frame]
        var peer: PeerIdentity?
        var deadline: ContinuousClock.Instant
        /// The awaiting sender, or nil for a post (its failure is logged and counted instead).
        var done: CheckedContinuation<Result<Void, ZMQError>, Never>?

        func complete(_ result: Result<Void, ZMQError>, _ thread: SocketThread) {
            if let done { return done.resume(returning: result) }
            if case let .failure(error) = result { thread.postFailed(error, peer: peer) }
        }
    }

    private struct State {
        var queue: [SendRequest] = []
        var stopping = false
        var finished = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let inbox: Inbox<Message>
    private let state = Mutex(State())
    private let wake: WakeSignal
    private let gate: InboxGate
    private let continuation: AsyncStream<Message>.Continuation
    private let limits: SocketLimits
    private let name: String
    private let logger: Logger

    init(name: String, limits: SocketLimits, logger: Logger) throws(ZMQError) {
        self.name = name
        self.logger = logger
        self.limits = limits
        wake = try WakeSignal()
        gate = InboxGate(limits: limits, wake: wake)
        let (stream, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
        self.continuation = continuation
        inbox = Inbox(stream: stream, gate: gate)
    }

    /// Starts the thread; returns the endpoint the socket is on, or why it could not be opened.
    /// `context` stays alive until the thread has closed its socket.
    func start(_ setup: Setup, context: ZMQContext) async -> Result<String, ZMQError> {
        await withCheckedContinuation { (ready: CheckedContinuation<Result<String, ZMQError>, Never>) in
            let thread = Thread { [self, name] in
                Thread.current.name = "zmq-\(name)"
                withExtendedLifetime(context) {
                    let socket: SocketHandle, monitor: SocketHandle?
                    do throws(ZMQError) {
                        let opened = try setup.open()
                        socket = opened.0
                        // before anyone is told the endpoint, so no connection is accepted unseen
                        monitor = setup.isRouter ? openMonitor(socket, context: context) : nil
                        ready.resume(returning: .success(opened.endpoint))
                    } catch {
                        setup.cleanup()
                        finish(pending: [])
                        ready.resume(returning: .failure(error))
                        return
                    }
                    let pending = run(socket, setup, monitor: monitor)
                    if let monitor {
                        zmq_socket_monitor(socket.raw, nil, 0)
                        monitor.close()
                    }
                    socket.close()
                    setup.cleanup()
                    finish(pending: pending)
                }
            }
            thread.start()
        }
    }

    /// Queues `frames` (for a router, the routing id first) and returns once libzmq has taken them, or why not.
    func send(_ frames: [Frame], peer: PeerIdentity?, operation: String) async -> Result<Void, ZMQError> {
        let deadline = ContinuousClock.now + limits.sendTimeout
        return await withCheckedContinuation { done in
            let accepted = state.withLock { state in
                guard !state.stopping else { return false }
                state.queue.append(SendRequest(frames: frames, peer: peer, deadline: deadline, done: done))
                return true
            }
            if accepted { wake.signal() } else { done.resume(returning: .failure(.closed(operation: operation))) }
        }
    }

    /// Queues `frames` and returns at once; false if the endpoint is closed. A later failure is logged
    /// and counted in `failedPosts`.
    func post(_ frames: [Frame], peer: PeerIdentity?) -> Bool {
        let request = SendRequest(frames: frames, peer: peer, deadline: ContinuousClock.now + limits.sendTimeout, done: nil)
        let accepted = state.withLock { state in
            guard !state.stopping else { return false }
            state.queue.append(request)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// How many posted messages failed after `post` returned (unknown peer, timed out, closed unsent).
    var failedPosts: Int { failures.load(ordering: .relaxed) }
    private let failures = Atomic<Int>(0)

    /// Connections cut for being over `SocketLimits.maxUnauthenticated`.
    var cutConnections: Int { cut.load(ordering: .relaxed) }
    private let cut = Atomic<Int>(0)
    /// The router's unauthenticated connections (touched only on the socket thread).
    private var connections: ConnectionGuard?

    /// Peers a posted message timed out on (their queue stayed full), not yet taken.
    private let stalled = Mutex<Set<PeerIdentity>>([])

    /// The peers whose queue stayed full past the send timeout since the last call (a peer that stopped
    /// reading): the caller drops them.
    func takeStalledPeers() -> [PeerIdentity] {
        stalled.withLock { peers in
            defer { peers = [] }
            return Array(peers)
        }
    }

    /// Whether the `count`th of a repeated warning is logged: the first 10, then every 1,000th.
    private static func isLogged(_ count: Int) -> Bool { count <= 10 || count % 1000 == 0 }

    /// Peers a posted message found not connected (their connection closed), not yet taken.
    private let gone = Mutex<Set<PeerIdentity>>([])

    /// The peers a posted message found not connected since the last call (libzmq no longer knows their
    /// routing id: the connection closed, and a peer that comes back has a new one).
    func takeGonePeers() -> [PeerIdentity] {
        gone.withLock { peers in
            defer { peers = [] }
            return Array(peers)
        }
    }

    fileprivate func postFailed(_ error: ZMQError, peer: PeerIdentity?) {
        if case .sendTimedOut = error, let peer { stalled.withLock { _ = $0.insert(peer) } }
        if case let .unknownPeer(unknown) = error { gone.withLock { _ = $0.insert(peer ?? unknown) } }
        let count = failures.add(1, ordering: .relaxed).newValue
        if Self.isLogged(count) { logger.warning("\(error) (a posted message; \(count) failed so far)") }
    }

    /// Asks the thread to close the socket; returns at once.
    func requestStop() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        if first { wake.signal() }
    }

    /// Closes the socket and returns once the thread has.
    func stop() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                state.stopping = true
                if !state.finished { state.closeWaiters.append(waiter) }
                return state.finished
            }
            if done { waiter.resume() } else { wake.signal() }
        }
    }

    /// A PAIR socket hearing `socket`'s accepted and closed connections (nil, logged, if libzmq refuses).
    private func openMonitor(_ socket: SocketHandle, context: ZMQContext) -> SocketHandle? {
        let address = "inproc://rlhf-monitor-\(name)-\(UInt64.random(in: 0 ... .max))"
        guard zmq_socket_monitor(socket.raw, address, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) == 0,
              let monitor = try? SocketHandle(context: context.handle, type: ZMQ_PAIR, name: "\(name)-monitor"),
              zmq_connect(monitor.raw, address) == 0 else {
            logger.warning("zmq: \(name): no socket monitor (\(ZMQError.last("socket_monitor"))); unauthenticated connections are not capped")
            return nil
        }
        connections = ConnectionGuard(limit: limits.maxUnauthenticated)
        return monitor
    }

    /// Reads the monitor's events: an accepted connection may cut the oldest unauthenticated ones.
    private func readMonitor(_ monitor: SocketHandle) {
        while true {
            var parts: [[UInt8]] = []
            var more = true
            while more {
                var message = zmq_msg_t()
                zmq_msg_init(&message)
                defer { zmq_msg_close(&message) }
                guard zmq_msg_recv(&message, monitor.raw, ZMQ_DONTWAIT) >= 0 else { return }
                parts.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(&message), count: zmq_msg_size(&message))))
                more = zmq_msg_more(&message) != 0
            }
            // frame 1: the event (UInt16) and its value (UInt32, the connection's descriptor), native order
            guard let event = parts.first, event.count >= 6 else { continue }
            let kind = event.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
            let fd = event.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: Int32.self) }
            if Int32(kind) == ZMQ_EVENT_ACCEPTED {
                for old in connections?.accepted(fd) ?? [] {
                    shutdown(old, Int32(SHUT_RDWR))
                    let count = cut.add(1, ordering: .relaxed).newValue
                    if Self.isLogged(count) {
                        logger.warning("zmq: \(name): cut a connection still unauthenticated: over \(limits.maxUnauthenticated) at once (\(count) so far)")
                    }
                }
            } else if Int32(kind) == ZMQ_EVENT_DISCONNECTED {
                connections?.closed(fd)
            }
        }
    }

    /// The poll loop. Returns the sends still waiting when it stops.
    private func run(_ socket: SocketHandle, _ setup: Setup, monitor: SocketHandle?) -> [SendRequest] {
        var pending: [SendRequest] = []
        var retryMilliseconds: Int = 1
        var items = [zmq_pollitem_t](repeating: zmq_pollitem_t(), count: monitor == nil ? 2 : 3)
        while true {
            let (new, stopping) = state.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.stopping)
            }
            pending.append(contentsOf: new)
            if stopping { return pending }
            let blocked = flush(&pending, socket, setup)
            let reading = gate.hasRoom()
            items[0] = zmq_pollitem_t(socket: socket.raw, fd: 0,
                                      events: Int16((reading ? ZMQ_POLLIN : 0) | (blocked && !setup.isRouter ? ZMQ_POLLOUT : 0)),
                                      revents: 0)
            items[1] = zmq_pollitem_t(socket: nil, fd: wake.readFD, events: Int16(ZMQ_POLLIN), revents: 0)
            if let monitor { items[2] = zmq_pollitem_t(socket: monitor.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
            let timeout: Int = blocked ? (setup.isRouter ? retryMilliseconds : 100) : -1
            let rc = zmq_poll(&items, Int32(items.count), timeout)
            if rc < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code != ETERM { logger.error("\(ZMQError.failed(operation: "poll (\(name))", errno: code))") }
                return pending
            }
            if items[1].revents & Int16(ZMQ_POLLIN) != 0 { wake.drain() }
            if let monitor, items[2].revents & Int16(ZMQ_POLLIN) != 0 { readMonitor(monitor) }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 { receiveAvailable(socket, setup) }
            retryMilliseconds = blocked ? min(retryMilliseconds * 2, 16) : 1
        }
    }

    /// Sends what libzmq will take now; returns true if some sends still wait for room.
    private func flush(_ pending: inout [SendRequest], _ socket: SocketHandle, _ setup: Setup) -> Bool {
        guard !pending.isEmpty else { return false }
        let now = ContinuousClock.now
        var blockedPeers: Set<PeerIdentity> = []
        var blockedAll = false
        var waiting: [SendRequest] = []
        for request in pending {
            let key = request.peer ?? PeerIdentity([])
            let outcome: SendOutcome = blockedAll || blockedPeers.contains(key) ? .wouldBlock : sendNow(request.frames, socket, setup)
            switch outcome {
            case .sent:
                request.complete(.success(()), self)
            case let .failed(error):
                request.complete(.failure(error), self)
            case .wouldBlock:
                if now >= request.deadline {
                    request.complete(.failure(.sendTimedOut(operation: describe(request), seconds: limits.sendTimeout.seconds)), self)
                } else {
                    waiting.append(request)
                    if setup.isRouter { blockedPeers.insert(key) } else { blockedAll = true }
                }
            }
        }
        pending = waiting
        return !waiting.isEmpty
    }

    private enum SendOutcome { case sent, wouldBlock, failed(ZMQError) }

    /// One multipart message, without waiting.
    private func sendNow(_ frames: [Frame], _ socket: SocketHandle, _ setup: Setup) -> SendOutcome {
        for (index, frame) in frames.enumerated() {
            var message = zmq_msg_t()
            guard frame.load(into: &message) else { return .failed(.last("msg_init (\(name))")) }
            let flags = ZMQ_DONTWAIT | (index < frames.count - 1 ? ZMQ_SNDMORE : 0)
            var rc: Int32
            repeat { rc = zmq_msg_send(&message, socket.raw, flags) } while rc < 0 && zmq_errno() == EINTR
            guard rc < 0 else { continue }
            let code = zmq_errno()
            zmq_msg_close(&message)
            if index == 0, code == EAGAIN { return .wouldBlock }
            if setup.isRouter, index == 0, code == EHOSTUNREACH {
                return .failed(.unknownPeer(PeerIdentity(frames[0].bytes)))
            }
            return .failed(.failed(operation: "send frame \(index) of \(frames.count) (\(name))", errno: code))
        }
        return .sent
    }

    /// Receives whole messages while there are some and the inbox has room (at most 256, then sends get a turn).
    private func receiveAvailable(_ socket: SocketHandle, _ setup: Setup) {
        for _ in 0 ..< 256 {
            guard gate.hasRoom() else { return }
            var parts: [ReceivedMessage] = []
            while true {
                let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
                zmq_msg_init(message)
                var rc: Int32
                repeat { rc = zmq_msg_recv(message, socket.raw, ZMQ_DONTWAIT) } while rc < 0 && zmq_errno() == EINTR
                if rc < 0 {
                    let code = zmq_errno()
                    zmq_msg_close(message)
                    message.deallocate()
                    if code != EAGAIN, code != ETERM { logger.warning("\(ZMQError.failed(operation: "receive (\(name))", errno: code))") }
                    return  // libzmq delivers multipart messages whole, so parts is empty here
                }
                let more = zmq_msg_more(message) != 0
                if connections != nil {
                    let fd = zmq_msg_get(message, ZMQ_SRCFD)
                    if fd >= 0 { connections!.heard(fd) }
                }
                parts.append(ReceivedMessage(taking: message))
                if !more { break }
            }
            guard let assembled = setup.assemble(parts) else { continue }
            if case .enqueued = continuation.yield(assembled) { gate.admitted(bytes: assembled.byteCount) }
        }
    }

    /// Fails what still waits, finishes the inbox and wakes `stop()` callers.
    private func finish(pending: [SendRequest]) {
        let (queued, waiters) = state.withLock { state in
            state.stopping = true
            state.finished = true
            defer { state.queue = []; state.closeWaiters = [] }
            return (state.queue, state.closeWaiters)
        }
        for request in pending + queued where request.done != nil {
            request.complete(.failure(.closed(operation: describe(request))), self)
        }
        continuation.finish()
        for waiter in waiters { waiter.resume() }
    }

    private func describe(_ request: SendRequest) -> String {
        request.peer.map { "send to \($0) (\(name))" } ?? "send (\(name))"
    }
}

/// libzmq calls this (on its I/O thread) when it is done with a zero-copy frame's bytes.
private let releaseOwner: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, hint in
    if let hint { Unmanaged<AnyObject>.fromOpaque(hint).release() }
}

extension Frame {
    /// Frames up to this size are copied into libzmq; larger ones that have an owner are lent to it.
    static let copyThreshold = 4096

    /// Initialises `message` with the frame's bytes; false (errno set) if libzmq could not.
    func load(into message: inout zmq_msg_t) -> Bool {
        let owner: AnyObject
        let bytes: UnsafeRawBufferPointer
        switch storage {
        case let .array(array):
            return array.withUnsafeBytes { source in
                guard zmq_msg_init_size(&message, source.count) == 0 else { return false }
                if source.count > 0 { zmq_msg_data(&message).copyMemory(from: source.baseAddress!, byteCount: source.count) }
                return true
            }
        case let .borrowed(buffer, keeper):
            (bytes, owner) = (buffer, keeper)
        case let .received(received):
            (bytes, owner) = (received.bytes, received)
        }
        if bytes.count <= Self.copyThreshold {
            guard zmq_msg_init_size(&message, bytes.count) == 0 else { return false }
            if bytes.count > 0 { zmq_msg_data(&message).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            return withExtendedLifetime(owner) { true }
        }
        let hint = Unmanaged.passRetained(owner).toOpaque()
        guard zmq_msg_init_data(&message, UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count, releaseOwner, hint) == 0 else {
            Unmanaged<AnyObject>.fromOpaque(hint).release()
            return false
        }
        return true
    }
}
