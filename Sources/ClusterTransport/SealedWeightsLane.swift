import ClusterCore
import Logging
import Synchronization
import Wire
import ZeroMQ

/// A generator's connection to the learner's weights socket (PROTOCOL.md section 7): a plain DEALER to the
/// port a sealed manifest names, on the host the worker reaches the learner at, opened at the first
/// request and kept for the next versions (opened again if the port changes: a learner restarted). What
/// comes back is handed to `received` (the session takes only chunks that open under the version's key).
final class SealedWeightsLane: Sendable {
    private let learnerHost: String
    private let context: ZMQContext
    private let logger: Logger
    private let received: @Sendable ([Frame]) -> Void
    private struct Open { var port: Int; var dealer: DealerEndpoint; var reader: Task<Void, Never> }
    private let open = Mutex<Open?>(nil)
    /// Requests go out in order, one task at a time.
    private let outbox: AsyncStream<(port: Int, frames: [Frame])>.Continuation
    private let sender = Mutex<Task<Void, Never>?>(nil)

    /// A lane to the learner at `learnerEndpoint` (the worker's `--learner`); `received` takes each message.
    init(learnerEndpoint: String, context: ZMQContext, logger: Logger, received: @escaping @Sendable ([Frame]) -> Void) {
        learnerHost = (try? Endpoint(parsing: learnerEndpoint, binding: false))?.host ?? "127.0.0.1"
        self.context = context
        self.logger = logger
        self.received = received
        let (requests, outbox) = AsyncStream.makeStream(of: (port: Int, frames: [Frame]).self)
        self.outbox = outbox
        sender.withLock { $0 = Task.detached { [weak self] in
            for await (port, frames) in requests {
                guard let self else { return }
                do {
                    try await self.dealer(port: port).post(frames)
                } catch {
                    logger.warning("cannot ask the learner's weights socket (port \(port)): \(error)")
                }
            }
        } }
    }

    /// Sends `frames` (a weights request) to the weights socket at `port`.
    func send(_ frames: [Frame], port: Int) { outbox.yield((port, frames)) }

    /// The dealer to `port`, opened (and an old one to another port closed) if needed; only the sender task calls it.
    private func dealer(port: Int) async throws -> DealerEndpoint {
        if let current = open.withLock({ $0 }), current.port == port { return current.dealer }
        if let old = open.withLock({ state -> Open? in defer { state = nil }; return state }) {
            old.reader.cancel()
            await old.dealer.close()
        }
        var config = DealerConfig(endpoint: learnerHost.contains(":") ? "tcp://[\(learnerHost)]:\(port)" : "tcp://\(learnerHost):\(port)",
                                  security: .insecure, name: "weights", logger: logger)
        config.warnsInsecure = false
        let dealer = try await DealerEndpoint(config, context: context)
        let received = received
        let reader = Task.detached {
            for await frames in dealer.incoming { received(frames) }
        }
        open.withLock { $0 = Open(port: port, dealer: dealer, reader: reader) }
        return dealer
    }

    /// Closes the connection.
    func close() async {
        outbox.finish()
        sender.withLock { $0?.cancel() }
        if let current = open.withLock({ state -> Open? in defer { state = nil }; return state }) {
            current.reader.cancel()
            await current.dealer.close()
        }
    }
}
