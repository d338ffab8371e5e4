import ClusterCore
import Wire

/// A learner as the real one is wired (`ZMQLearnerTransport` and `RoundRunner`), in memory: its
/// `LearnerSession` decodes what peers send, its `RoundDispatcher` leases work, and what each says to
/// the other passes between them. Every frame it would send is encoded and decoded again, and must come
/// back as it was sent.
struct LearnerUnderFuzz {
    private(set) var session: LearnerSession
    private var dispatcher = RoundDispatcher(quarantineAfter: 3, minimumLeaseSeconds: 2, roleTimeout: 30, waitingLogInterval: 5)
    private var iteration = 0, version = 0
    private var sent: UInt64 = 0
    /// Leases issued, and results the ledgers accepted (their rounds' records so far).
    var leases: Int { dispatcher.leasesIssued }
    private(set) var accepted = 0
    /// Operator requests the session let through (from the operator key).
    private(set) var operatorRequests = 0

    /// A learner whose peers authenticate with `clientNames` (empty: any peer may register as anything).
    init(clientNames: [String: String], operatorKeys: Set<String> = []) {
        session = LearnerSession(welcome: FuzzRun.welcome, heartbeatInterval: 1, liveness: 3, registrationsPerSecond: 10,
                                 clientNames: clientNames, operatorKeys: operatorKeys)
    }

    /// Frames from `peer` (authenticated as `user`) at `now`; what broke an invariant, if anything.
    mutating func receive(_ frames: [[UInt8]], from peer: Int, user: String?, now: Double) -> [String] {
        var violations: [String] = []
        let decoded = Result { () throws(WireError) in try WireCodec.decode(frames: frames, from: .worker) }
        if case let .success(envelope) = decoded { violations += FuzzRun.roundTrip(envelope, from: .worker) }
        return violations + handle(session.receive(decoded, from: [UInt8(peer)], user: user, now: now))
    }

    /// The clock reads `now`.
    mutating func tick(now: Double) -> [String] { handle(session.tick(now: now)) }

    /// The learner's own move.
    mutating func move(_ move: FuzzSteps.LearnerMove) -> [String] {
        switch move {
        case .beginRound:
            accepted += acceptedThisRound
            iteration += 1
            version += 1
            return perform(dispatcher.begin(iteration: iteration, tasks: FuzzRun.tasks(iteration: iteration, version: version),
                                            weights: FuzzRun.weights(version: version)))
        case .publishWeights:
            version += 1
            guard let first = session.registry.workers.first(where: { $0.id.role == .rollout }) else { return [] }
            return handle(session.send(.weights(FuzzRun.weights(version: version)), to: first.id) ?? [])
        case .drainFirst:
            guard let first = session.registry.workers.first else { return [] }
            return perform(dispatcher.drain(first.id))
        case .stopFirst:
            guard let first = session.registry.workers.first else { return [] }
            return handle(session.send(.stop, to: first.id) ?? []) + perform(dispatcher.remove(first.id))
        }
    }

    /// Results the current round's ledger holds.
    private var acceptedThisRound: Int {
        guard let ledger = dispatcher.ledger else { return 0 }
        return ledger.taskIDs.compactMap { ledger.entry($0) }.reduce(0) { total, entry in
            total + (entry.rollout != nil ? 1 : 0) + (entry.scores != nil ? 1 : 0) + (entry.reference != nil ? 1 : 0)
        }
    }

    /// Accepted results over every round so far.
    var acceptedResults: Int { accepted + acceptedThisRound }

    /// Carries out the session's outputs: frames are checked, events go to the dispatcher.
    private mutating func handle(_ outputs: [LearnerSession.Output]) -> [String] {
        var violations: [String] = []
        for output in outputs {
            switch output {
            case let .transmit(_, worker, message):
                sent += 1
                violations += FuzzRun.transmitted(message, header: WireHeader(worker: worker, sequence: sent), by: .learner)
            case let .transmitChunk(_, _, stream, offset):
                let bytes = stream.withChunk(at: offset) { $0.count }
                if bytes == nil || bytes == 0 { violations.append("the learner sent chunk \(offset) of a \(stream.manifest.totalBytes)-byte stream") }
            case let .deliver(.message(delivery)): violations += perform(dispatcher.receive(delivery))
            case let .deliver(.left(worker)): violations += perform(dispatcher.remove(worker))
            case let .deliver(.tick(now)): violations += perform(dispatcher.advance(to: now))
            case let .operatorRequest(request, peer):
                operatorRequests += 1
                violations += handle(session.answer(OperatorAnswer(id: request.id, done: true, message: "\(request.action)"), to: peer))
            case .log: break
            }
        }
        return violations
    }

    /// Carries out the dispatcher's actions: messages go out through the session.
    private mutating func perform(_ actions: [RoundDispatcher.Action]) -> [String] {
        var violations: [String] = []
        for action in actions {
            guard case let .send(message, worker) = action else { continue }
            if let worker = dispatcher.workers[worker], worker.quarantined != nil, message.leasesWork {
                violations.append("a quarantined worker was leased \(message)")
            }
            violations += handle(session.send(message, to: worker) ?? [])
        }
        return violations
    }
}

private extension LearnerMessage {
    /// Whether this message leases a piece of work.
    var leasesWork: Bool {
        switch self {
        case .rollout, .score, .reference: true
        default: false
        }
    }
}
