import ClusterCore
import Foundation
import Logging
import Synchronization
import Wire
import ZeroMQ

/// The learner's transport over ZeroMQ: a ROUTER socket (on its own thread, in the `ZeroMQ` target)
/// driven through the pure `LearnerSession`. Small tasks move things along: one takes what arrives and
/// answers heartbeats and small messages at once, one decodes large messages (`BulkLane`: a flooding
/// peer's excess is dropped and counted), one hands what the session says to the socket thread, one ticks
/// the clock (heartbeats, liveness, lease deadlines). Checksums of a new weights version run before the
/// session's lock is taken. The learner never waits on one peer: sends are posted, the socket thread
/// keeps each peer's order and holds a peer whose queue is full without holding up the others, and a
/// peer whose queue stays full past the send timeout (it stopped reading) is dropped and counted
/// (`cluster/refused/slow_peer`).
package final class ZMQLearnerTransport: LearnerTransport, @unchecked Sendable {
    package let incoming: AsyncStream<LearnerEvent>
    /// The endpoint the router is bound to (with the port it got).
    package let endpoint: String
    private let events: AsyncStream<LearnerEvent>.Continuation
    private let outbox: AsyncStream<(PeerIdentity, [Frame])>.Continuation
    private let router: RouterEndpoint
    private let session: Mutex<LearnerSession>
    private let sequence = Atomic<UInt64>(0)
    private let logger: Logger
    private let clock = SessionClock()
    /// Per-worker accounting, on the transport's clock (a join is timed when it arrives, not when the
    /// learner gets to it between rounds).
    private let accounts = Mutex(WorkerAccounts())
    /// Where large messages are decoded, apart from heartbeats and small ones.
    private let bulk: BulkLane
    private var tasks: [Task<Void, Never>] = []
    /// Turns a row of the policy's token ids into the text a reward function scores, for the score
    /// requests of reward workers that score text (nil: their requests go without texts).
    private let rewardText: (@Sendable ([Int]) -> String)?
    /// Each version's shared-memory file, for generators that registered from this host (nil: chunks only).
    private let sharedWeights: SharedWeightsFiles?
    /// The plain weights socket that serves generators of other hosts each version's chunks sealed once
    /// (nil: an insecure or ipc channel, where chunks go over it).
    private let sealedWeights: SealedWeightsServer?
    /// This host's name, as workers on it register.
    private let hostName = ProcessInfo.processInfo.hostName

    /// Binds `endpoint` and starts serving workers.
    /// `clientNames` maps each admitted CurveZMQ key (Z85) to the one worker it registers as (empty: no keys).
    /// `rewardText` decodes a row for the reward workers that asked for texts (`WorkerCapabilities.scoreTexts`).
    /// With `sharedMemoryWeights`, generators on this host take each version from a shared-memory file
    /// written once (`SharedWeightsFiles`) instead of its chunks. With `sealedWeights` and CurveZMQ on tcp,
    /// generators of other hosts take the chunks sealed once from a plain weights socket (`SealedWeightsServer`).
    package init(endpoint: String, security: ServerSecurity, welcome: LearnerSession.WelcomeInfo, heartbeatInterval: Double = 1,
                clientNames: [String: String] = [:], operatorKeys: Set<String> = [], limits: SocketLimits = SocketLimits(),
                rewardText: (@Sendable ([Int]) -> String)? = nil, sharedMemoryWeights: Bool = true, sealedWeights: Bool = true,
                context: ZMQContext, logger: Logger) async throws {
        self.rewardText = rewardText
        sharedWeights = sharedMemoryWeights ? SharedWeightsFiles() : nil
        router = try await RouterEndpoint(RouterConfig(endpoint: endpoint, security: security, limits: limits, name: "learner",
                                                       logger: logger),
                                          context: context)
        if sealedWeights, !security.isInsecure, let bind = try? Endpoint(parsing: endpoint, binding: true), bind.transport == .tcp {
            do {
                self.sealedWeights = try await SealedWeightsServer(host: bind.host, context: context, logger: logger)
            } catch {
                await router.close()
                throw error
            }
        } else {
            self.sealedWeights = nil
        }
        self.endpoint = router.boundEndpoint
        self.logger = logger
        session = Mutex(LearnerSession(welcome: welcome, heartbeatInterval: heartbeatInterval, clientNames: clientNames,
                                       operatorKeys: operatorKeys))
        (incoming, events) = AsyncStream.makeStream(of: LearnerEvent.self)
        let (outgoing, outbox) = AsyncStream.makeStream(of: (PeerIdentity, [Frame]).self)
        self.outbox = outbox
        let router = router
        let bulk = BulkLane()
        self.bulk = bulk
        tasks.append(Task.detached { [weak self] in
            for await message in router.incoming {
                guard let self else { return }
                switch bulk.route(message, isHeartbeat: WireFrames.isHeartbeat(message.frames)) {
                case .now: self.receive(message)
                case .queued: break
                case .flood:
                    let bytes = message.frames.byteCount
                    self.perform(self.session.withLock { $0.refuseFlood(from: message.peer.bytes, bytes: bytes) })
                }
            }
            bulk.finish()
        })
        tasks.append(Task.detached { [weak self] in
            for await item in bulk.items {
                self?.receive(item.message)
                bulk.done(item)
            }
        })
        tasks.append(Task.detached { [weak self] in
            for await (peer, frames) in outgoing {
                do { try router.post(frames, to: peer) } catch {
                    self?.logger.warning("cannot send to peer \(peer): \(error)")
                }
            }
        })
        tasks.append(Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(max(10, Int(heartbeatInterval * 250))))
                guard let self else { return }
                let now = self.now
                for peer in router.takeStalledPeers() {
                    self.perform(self.session.withLock { $0.dropSlowPeer(peer.bytes) })
                }
                // a send (a lease, a heartbeat) found the peer's connection closed: its worker has left
                for peer in router.takeGonePeers() {
                    self.perform(self.session.withLock { $0.dropGonePeer(peer.bytes) })
                }
                self.perform(self.session.withLock { $0.tick(now: now) })
            }
        })
    }

    private var now: Double { clock.now }

    /// Decodes `message` (outside the session's lock) and hands it to the session.
    private func receive(_ message: RoutedMessage) {
        let decoded = WireFrames.decode(message.frames, from: .worker)
        let now = self.now
        perform(session.withLock { $0.receive(decoded, from: message.peer.bytes, user: message.user, now: now) })
    }

    /// Who answers operators' requests (nil: each is refused).
    private let operatorDesk = Mutex<(@Sendable (OperatorRequest) -> OperatorAnswer)?>(nil)

    /// From now on `answer` answers every operator request (from a connection with an operator key); it
    /// runs on the transport's receive task, so it must answer at once.
    package func answerOperators(_ answer: @escaping @Sendable (OperatorRequest) -> OperatorAnswer) {
        operatorDesk.withLock { $0 = answer }
    }

    /// The worker registered now with the key issued as `name` (`ROLE-INDEX`).
    package func worker(named name: String) -> WorkerID? { session.withLock { $0.worker(named: name) } }

    /// Admits the CurveZMQ key `key` (Z85) as worker `name` from now on, in the session and in the
    /// router's ZAP handler: a worker issued while the run goes on.
    package func admit(name: String, key: String) throws(LearnerSession.AdmitRefusal) {
        guard let curveKey = CurveKey(z85: key) else { throw .malformedKey }
        try session.withLock { (session: inout LearnerSession) throws(LearnerSession.AdmitRefusal) in try session.admit(name: name, key: key) }
        do { try router.admit(curveKey) } catch { logger.error("cannot admit \(name) on the router: \(error)") }
    }

    /// How many keys are issued (the operator's too).
    package var issuedCount: Int { session.withLock { $0.issuedCount } }

    /// Whether the name `name` is issued to a key.
    package func isIssued(_ name: String) -> Bool { session.withLock { $0.isIssued(name) } }

    /// The registered workers, each with the name its key was issued as (nil without keys).
    package var workers: [(record: WorkerRegistry.Record, name: String?)] {
        session.withLock { session in
            let names = session.workerNames
            return session.registry.workers.map { ($0, names[$0.id]) }
        }
    }

    /// Frames and peers refused so far, by reason.
    package var refused: [String: Int] { session.withLock { $0.refused } }

    /// Workers registered now, by role.
    package func registered(_ role: WorkerRole) -> Int { session.withLock { $0.registry.count(role) } }

    package func iterationCounters() -> [String: Double] {
        var out = counters
        if let slowest = takeFirstWorkTimes().max() { out["cluster/first_work_s"] = slowest }
        return out
    }

    /// The counters as they stand, with no side effect: workers by role, refusals, per-worker tasks and busy time.
    package var counters: [String: Double] {
        var out: [String: Double] = [:]
        session.withLock { session in
            for role in WorkerRole.allCases { out["cluster/workers/\(role)"] = Double(session.registry.count(role)) }
            for (reason, n) in session.refused { out["cluster/refused/\(reason)"] = Double(n) }
            if let bytes = session.newestStreamBytes { out["cluster/weights/version_bytes"] = Double(bytes) }
        }
        if let sealedWeights {
            for (reason, n) in sealedWeights.refused { out["cluster/refused/\(reason)", default: 0] += Double(n) }
            out["cluster/weights/sealed_chunks"] = Double(sealedWeights.chunksSent)
        }
        // per-worker accounting, for every worker registered now (under its key's name when it has one)
        let (accounts, _) = workerAccounts
        for (record, name) in workers {
            guard let account = accounts.accounts[record.id] else { continue }
            let key = "cluster/worker/\(name ?? "\(record.id)")"
            out["\(key)/tasks"] = Double(account.tasks)
            out["\(key)/busy_s"] = account.busySeconds
        }
        out["cluster/refused/curve_clients"] = Double(router.refusedClients)
        out["cluster/refused/unauthenticated"] = Double(router.cutConnections)
        return out
    }

    /// The TCP port of the weights socket that serves sealed chunks (nil: none, on an insecure or ipc channel).
    package var sealedWeightsPort: Int? { sealedWeights?.port }

    /// CurveZMQ clients refused (unknown keys).
    package var refusedClients: Int { router.refusedClients }

    package func send(_ message: LearnerMessage, to worker: WorkerID) throws(TransportError) {
        // a reward worker that scores text gets the rows' texts, decoded here, outside the session's lock
        var message = message
        if case let .score(request) = message, request.texts == nil, let rewardText, session.withLock({ $0.scoresTexts(worker) }) {
            var withTexts = request
            withTexts.texts = SequenceTexts(of: request, decode: rewardText)
            message = .score(withTexts)
        }
        // a new version's checksums run here, outside the session's lock, so heartbeats never wait on them;
        // so does writing its shared-memory file, once, when a generator on this host takes it
        var stream: WeightStreamSource?
        if case let .weights(weights) = message {
            stream = session.withLock { $0.stream(version: weights.version) }
            if stream == nil {
                let made = WeightStreamSource(weights)
                session.withLock { $0.publish(made) }
                stream = made
            }
            if let sharedWeights, let stream, session.withLock({ $0.registry.record(worker)?.host }) == hostName,
               let path = sharedWeights.file(for: stream) {
                session.withLock { $0.offerShared(version: weights.version, path: path, host: hostName) }
            }
        }
        guard var outputs = session.withLock({ $0.send(message, to: worker) }) else { throw .closed("worker \(worker)") }
        if let stream, let sealedWeights { outputs = seal(outputs, of: stream, with: sealedWeights) }
        switch message {
        case .rollout, .score, .reference:
            let now = self.now
            accounts.withLock { $0.leased(worker, now: now) }
        default: break
        }
        perform(outputs)
    }

    /// `outputs` with a manifest that names no shared-memory file (its generator is on another host) sealed:
    /// its chunks come from the weights socket, sealed once for every such generator.
    private func seal(_ outputs: [LearnerSession.Output], of stream: WeightStreamSource, with server: SealedWeightsServer) -> [LearnerSession.Output] {
        outputs.map { output in
            guard case .transmit(let peer, let worker, .weightsManifest(var manifest)) = output, manifest.sharedMemory == nil else { return output }
            manifest.sealed = server.offer(stream, to: worker)
            return .transmit(peer: peer, worker: worker, .weightsManifest(manifest))
        }
    }

    private func header(_ worker: UInt32) -> WireHeader {
        WireHeader(worker: worker, sequence: sequence.add(1, ordering: .relaxed).newValue)
    }

    private func perform(_ outputs: [LearnerSession.Output]) {
        for output in outputs {
            do {
                switch output {
                case let .transmit(peer, worker, message):
                    outbox.yield((PeerIdentity(peer), try WireFrames.encode(message, header: header(worker))))
                case let .transmitChunk(peer, worker, stream, offset):
                    if let frames = try WireFrames.chunk(stream, offset: offset, header: header(worker)) {
                        outbox.yield((PeerIdentity(peer), frames))
                    }
                case let .deliver(event):
                    account(event)
                    events.yield(event)
                case let .log(line): logger.info("\(line)")
                case let .operatorRequest(request, peer):
                    let desk = operatorDesk.withLock { $0 }
                    let answer = desk?(request)
                        ?? OperatorAnswer(id: request.id, done: false, message: "refused: this learner is not taking operator requests yet")
                    // status is polled (the launcher asks every second): logged only at debug level
                    logger.log(level: request.action == .status ? .debug : .notice, "operator: \(request.action): \(answer.message)")
                    perform(session.withLock { $0.answer(answer, to: peer) })
                }
            } catch {
                logger.error("cannot encode a message: \(error)")
            }
        }
    }

    /// Books `event` in the per-worker accounts (a worker joins when it registered).
    private func account(_ event: LearnerEvent) {
        let now = self.now
        var registered: Double?
        if case let .message(delivery) = event, case .hello = delivery.message {
            registered = session.withLock { $0.registry.record(delivery.from)?.registeredAt }
        }
        accounts.withLock { accounts in
            switch event {
            case let .message(delivery):
                switch delivery.message {
                case .hello:
                    accounts.joined(delivery.from, now: registered ?? now)
                    logger.info("\(delivery.from) built its role \(String(format: "%.2f", now - (registered ?? now))) s after registering")
                case .rollout, .scores, .reference: accounts.answered(delivery.from, now: now, finished: true)
                case .failed: accounts.answered(delivery.from, now: now, finished: false)
                case let .installed(version):
                    if accounts.accounts[delivery.from]?.installedAt == nil, let joined = accounts.accounts[delivery.from]?.joinedAt {
                        logger.info("\(delivery.from) holds the policy (v\(version)) \(String(format: "%.2f", now - joined)) s after registering: ready for work")
                    }
                    accounts.installed(delivery.from, now: now)
                default: break
                }
            case let .left(worker): accounts.left(worker)
            case .tick: break
            }
        }
    }

    /// The per-worker accounts, and the transport's clock reading now.
    package var workerAccounts: (accounts: WorkerAccounts, now: Double) {
        let now = self.now
        return (accounts.withLock { $0 }, now)
    }

    /// The times to first work of the workers that got their first lease since the last call.
    package func takeFirstWorkTimes() -> [Double] { accounts.withLock { $0.takeFirstWorkTimes() } }

    /// Stops serving and closes the socket.
    package func close() async {
        for task in tasks { task.cancel() }
        outbox.finish()
        bulk.finish()
        events.finish()
        sharedWeights?.close()
        await sealedWeights?.close()
        await router.close()
    }
}
