import ClusterCore
import Logging
import Synchronization
import Wire
import ZeroMQ

/// The learner's weights socket (PROTOCOL.md section 7): a plain ROUTER, beside the CurveZMQ one on the
/// same interface, from which generators of other hosts take each version's chunks sealed once for all
/// of them (`SealedWeightStream`), instead of each chunk being encrypted again for every connection. The
/// key and each generator's ticket go in its manifest, inside the CurveZMQ channel; here a request is
/// served only with a ticket issued for its version (`SealedTicketBook`), and anything else is dropped
/// and counted (`cluster/refused/weights_ticket`, `wrong_kind`, `credit_exhausted`).
final class SealedWeightsServer: Sendable {
    /// The TCP port it is bound to.
    let port: Int
    private let router: RouterEndpoint
    private struct State {
        var book = SealedTicketBook()
        var streams: [Int: SealedWeightStream] = [:]
        var refused: [String: Int] = [:]
        var sequence: UInt64 = 0
        var sent = 0
    }
    private let state = Mutex(State())
    private let clock = SessionClock()
    private let logger: Logger
    private let serving = Mutex<Task<Void, Never>?>(nil)

    /// Largest request accepted on the socket (a request is a few dozen bytes; anything larger is hostile).
    static let requestLimit = 4096

    /// Binds a free port on `host` (`*`: every interface), the learner's host in its endpoint.
    init(host: String, context: ZMQContext, logger: Logger) async throws {
        var limits = SocketLimits()
        limits.maxFrameBytes = Self.requestLimit
        limits.inboxBytes = 16 << 20
        var config = RouterConfig(endpoint: host.contains(":") ? "tcp://[\(host)]:0" : "tcp://\(host):0", security: .insecure,
                                  limits: limits, handover: false, name: "weights", logger: logger)
        config.warnsInsecure = false
        router = try await RouterEndpoint(config, context: context)
        guard let bound = try? Endpoint(parsing: router.boundEndpoint, binding: true), let port = bound.port else {
            await router.close()
            throw ZMQError.invalidConfig("the weights socket bound \(router.boundEndpoint), which has no tcp port")
        }
        self.port = port
        self.logger = logger
        logger.info("weights socket on \(router.boundEndpoint): plain tcp, each chunk sealed once with AES-256-GCM for generators of other hosts")
        let router = router
        serving.withLock { $0 = Task.detached { [weak self] in
            for await message in router.incoming {
                guard let self else { return }
                // peers that stopped reading or left: their posts are dropped by the socket thread; forget them
                _ = router.takeStalledPeers()
                _ = router.takeGonePeers()
                self.serve(message)
            }
        } }
    }

    /// Version `stream`'s seal for the worker numbered `worker`: the version's key (made at its first
    /// offer), this socket's port, and a fresh ticket for it.
    func offer(_ stream: WeightStreamSource, to worker: UInt32) -> SealedStream {
        let ticket = ChunkSeal.newTicket()
        let version = stream.manifest.version
        let sealed = state.withLock { state in
            let sealed = state.streams[version] ?? SealedWeightStream(stream)
            state.streams[version] = sealed
            for old in state.streams.keys where old < version - 1 { state.streams[old] = nil }
            state.book.issue(ticket, version: version, worker: worker)
            return sealed
        }
        return SealedStream(key: sealed.key, port: port, ticket: ticket)
    }

    /// Requests refused so far, by reason.
    var refused: [String: Int] { state.withLock { $0.refused } }

    /// Sealed chunks sent so far.
    var chunksSent: Int { state.withLock { $0.sent } }

    /// Serves one request: its granted chunks, sealed, to the peer that asked.
    private func serve(_ message: RoutedMessage) {
        let now = clock.now
        guard case let .success(envelope) = WireFrames.decode(message.frames, from: .worker),
              case let .weightsRequest(request) = envelope.message else {
            return refuse("wrong_kind", "a frame on the weights socket that is not a weights request")
        }
        let (grant, stream) = state.withLock { state in
            let stream = state.streams[request.version]
            guard let stream else {
                return (SealedTicketBook.Grant.refused(reason: "weights_ticket", why: "a weights request for v\(request.version), which is not kept"), stream)
            }
            return (state.book.grant(request, totalBytes: stream.source.manifest.totalBytes, now: now), stream)
        }
        switch grant {
        case let .refused(reason, why): refuse(reason, why)
        case let .chunks(offsets, worker):
            guard let stream else { return }
            for offset in offsets {
                guard let bytes = stream.sealedChunk(at: offset) else { return refuse("wrong_kind", "v\(request.version) has no chunk at \(offset)") }
                do {
                    let sequence = state.withLock { $0.sequence += 1; $0.sent += 1; return $0.sequence }
                    try router.post(WireFrames.chunk(version: request.version, offset: offset, payload: Frame(unsafeBytes: bytes, owner: stream),
                                                     header: WireHeader(worker: worker, sequence: sequence)), to: message.peer)
                } catch {
                    logger.warning("weights socket: cannot send v\(request.version) at \(offset) to \(message.peer): \(error)")
                    return
                }
            }
        }
    }

    private func refuse(_ reason: String, _ why: String) {
        state.withLock { $0.refused[reason, default: 0] += 1 }
        logger.debug("weights socket: dropped \(why)")
    }

    /// Stops serving and closes the socket.
    func close() async {
        serving.withLock { $0?.cancel() }
        await router.close()
    }
}
