import Wire

/// The learner's side of the wire protocol as a pure state machine over an injected clock: it turns
/// decoded frames from peers (identified by their transport identity bytes) into the learner's events,
/// and the learner's messages into frames to send. It registers workers (`WorkerRegistry`: restarts,
/// liveness, the registration rate limit) and welcomes them with the run config; a worker takes work
/// once its first `READY` says it has built its role (the learner then sees its `hello`). It answers weight
/// requests from the version's `WeightStreamSource`, sends heartbeats, and drops and counts everything
/// a hostile or broken peer sends: malformed frames, another protocol version, messages from peers that
/// never registered, a learner's message kinds. Nothing a peer sends stops it.
package struct LearnerSession {
    /// What the driving actor does next.
    package enum Output {
        /// Send `message` to `peer`, whose wire number is `worker`.
        case transmit(peer: [UInt8], worker: UInt32, WireMessage)
        /// Send chunk `offset` of `stream` to `peer` (the bytes are read in place from the stream).
        case transmitChunk(peer: [UInt8], worker: UInt32, stream: WeightStreamSource, offset: Int)
        /// Give the learner this event.
        case deliver(LearnerEvent)
        /// Write this line to the log (a refused frame or peer, a dead worker).
        case log(String)
        /// An operator's request (from a connection with an operator key): answer it with `answer(_:to:)`.
        case operatorRequest(OperatorRequest, peer: [UInt8])
    }

    /// What the learner tells workers when they register.
    package struct WelcomeInfo: Sendable {
        package var runSeed: UInt64, runConfig: String, overrides: [String], digest: [UInt8]
        package init(runSeed: UInt64, runConfig: String, overrides: [String], digest: [UInt8]) {
            self.runSeed = runSeed; self.runConfig = runConfig; self.overrides = overrides; self.digest = digest
        }
    }

    /// The registered workers.
    package private(set) var registry: WorkerRegistry
    /// Frames and peers refused, by reason (`malformed`, `protocol_version`, `unknown_role`, `stranger`,
    /// `wrong_kind`, `oversized`, `registration_flood`, `wrong_key`, `slow_peer`, `credit_exhausted`, `flood`, `not_operator`).
    package private(set) var refused: [String: Int] = [:]
    /// The policy version the learner holds (for `Welcome`).
    package var policyVersion = 0
    private let welcome: WelcomeInfo
    private var peers: [WorkerID: (identity: [UInt8], number: UInt32)] = [:]
    private var nextNumber: UInt32 = 1
    private var streams: [Int: WeightStreamSource] = [:]
    /// Versions written to a shared-memory file, which generators on `host` are told of in their manifest.
    private var sharedCopies: [Int: (path: String, host: String)] = [:]
    private var lastHeartbeat = -Double.infinity
    private var announced: Set<WorkerID> = []
    /// Each admitted CurveZMQ key (Z85) → the worker name it was issued for (`ROLE-INDEX`); empty without
    /// keys. It grows when an operator admits a worker issued while the run goes on (`admit(name:key:)`).
    private var clientNames: [String: String]
    /// The CurveZMQ keys (Z85) with operator rights: their connections' `OPERATOR_REQUEST`s are obeyed.
    private let operatorKeys: Set<String>
    /// Each key-bound worker name → the peer (routing id) its latest registration came from.
    private var boundPeers: [String: String] = [:]
    /// Each peer's weight credit: the stream it reads and how far the learner has sent it.
    private var credits: [String: WeightCredit] = [:]
    /// Peers the learner told to stop: gone from the run; what they still send on their way out (a last
    /// heartbeat) is dropped without counting them as strangers, until one registers again.
    private var stopped: Set<String> = []
    /// Reward workers that score text (`WorkerCapabilities.scoreTexts`): their score requests carry the rows' texts.
    private var textScorers: Set<WorkerID> = []

    /// A session with no workers.
    /// With `clientNames` (each admitted key's worker name), a key registers only as its own worker, and a
    /// second connection with the same key replaces the first.
    /// `operatorKeys` are the keys whose connections may send operator requests (none: every one is refused).
    package init(welcome: WelcomeInfo, heartbeatInterval: Double = 1, liveness: Int = 3, registrationsPerSecond: Int = 10,
                 clientNames: [String: String] = [:], operatorKeys: Set<String> = []) {
        self.welcome = welcome
        self.clientNames = clientNames
        self.operatorKeys = operatorKeys
        registry = WorkerRegistry(heartbeatInterval: heartbeatInterval, liveness: liveness,
                                  registrationsPerSecond: registrationsPerSecond)
    }

    private static func key(_ identity: [UInt8]) -> String { identity.map { String($0, radix: 16) }.joined(separator: ".") }

    /// Handles frames from `peer` (already decoded, or the decoding error) at `now`; `user` is the
    /// CurveZMQ key (Z85) the peer's connection authenticated with.
    package mutating func receive(_ decoded: Result<WireEnvelope, WireError>, from peer: [UInt8], user: String? = nil,
                                  now: Double) -> [Output] {
        let envelope: WireEnvelope
        switch decoded {
        case let .failure(error): return refuse(Self.reason(error), "a frame from peer \(Self.key(peer)): \(error)")
        case let .success(e): envelope = e
        }
        if case let .register(registration) = envelope.message {
            var out: [Output] = []
            if !clientNames.isEmpty {
                // a key registers only as the worker it was issued for; a new connection with it replaces the old
                guard let user, let name = clientNames[user] else {
                    return refuse("wrong_key", "a registration from peer \(Self.key(peer)) without an admitted key")
                }
                guard name.hasPrefix(registration.role.rawValue + "-") else {
                    return refuse("wrong_key", "key \(name) tried to register as a \(registration.role) worker; a key registers only as its own worker")
                }
                if let previous = boundPeers[name], previous != Self.key(peer), let old = registry.worker(identity: previous) {
                    forget(old)
                    stopped.insert(previous)
                    out += [.log("\(name) connected again: the new connection replaces \(old)"), .deliver(.left(old))]
                }
                boundPeers[name] = Self.key(peer)
            }
            stopped.remove(Self.key(peer))
            return out + register(registration, peer: peer, now: now)
        }
        if case let .operatorRequest(request) = envelope.message {
            guard let user, operatorKeys.contains(user) else {
                let why = operatorKeys.isEmpty ? "this learner has no operator key (it runs without keys, or was started without one)"
                                               : "this connection's key has no operator rights"
                return refuse("not_operator", "an operator request from peer \(Self.key(peer)): \(why)")
                    + answer(OperatorAnswer(id: request.id, done: false, message: "refused: \(why)"), to: peer)
            }
            return [.operatorRequest(request, peer: peer)]
        }
        if stopped.contains(Self.key(peer)) { return [] }
        guard let id = registry.worker(identity: Self.key(peer)), let number = peers[id]?.number else {
            return refuse("stranger", "a \(envelope.message.kind) from peer \(Self.key(peer)), which never registered")
        }
        registry.heard(id, now: now)
        switch envelope.message {
        case .heartbeat:
            return []
        case let .ready(ready):
            // credit 0: the worker is draining (before its role was built, there is nothing to drain)
            if ready.credit == 0 { return announced.contains(id) ? [.deliver(.message(Delivery(from: id, message: .draining)))] : [] }
            // the worker has built its role: from now on it takes work
            guard !announced.contains(id) else { return [] }
            announced.insert(id)
            return [.deliver(.message(Delivery(from: id, message: .hello(id.role))))]
        case let .weightsRequest(request):
            guard id.role == .rollout, let stream = streams[request.version] else {
                return refuse("wrong_kind", "\(id) asked for weights v\(request.version), which are not being published")
            }
            let chunk = WeightStreamSource.chunkBytes
            guard request.byteOffset % chunk == 0, request.byteOffset < stream.manifest.totalBytes || stream.manifest.totalBytes == 0 else {
                return refuse("wrong_kind", "\(id) asked for weights v\(request.version) at byte \(request.byteOffset)")
            }
            let key = Self.key(peer)
            var credit = credits[key] ?? WeightCredit(version: request.version)
            let offsets = credit.grant(request, chunkBytes: chunk, totalBytes: stream.manifest.totalBytes, now: now)
            credits[key] = credit
            if offsets.isEmpty && request.byteOffset < stream.manifest.totalBytes {
                return refuse("credit_exhausted", "\(id) asked for weights v\(request.version) at byte \(request.byteOffset) with \(WeightCredit.maxOutstanding) chunks still on their way")
            }
            return offsets.map { .transmitChunk(peer: peer, worker: number, stream: stream, offset: $0) }
        default:
            guard let message = envelope.message.workerMessage else {
                return refuse("wrong_kind", "\(id) sent a \(envelope.message.kind), which workers do not send")
            }
            return [.deliver(.message(Delivery(from: id, message: message)))]
        }
    }

    private mutating func register(_ registration: Register, peer: [UInt8], now: Double) -> [Output] {
        // the same registration again before READY (its retries queued up while the learner was busy or
        // frozen): the same welcome again, not another worker
        if let id = registry.worker(identity: Self.key(peer)), !announced.contains(id), let number = peers[id]?.number,
           let record = registry.record(id), record.id.role == registration.role, record.pid == registration.pid {
            guard registry.admitRepeat(identity: Self.key(peer), host: registration.host, now: now) else {
                return refuse("registration_flood", "a registration from peer \(Self.key(peer)) (\(registration.host)) over the limit")
            }
            registry.heard(id, now: now)
            return [.transmit(peer: peer, worker: number, .welcome(welcomeMessage(number)))]
        }
        let outcome = registry.register(identity: Self.key(peer), role: registration.role, host: registration.host,
                                        pid: registration.pid, device: registration.device, now: now)
        var out: [Output] = []
        let id: WorkerID
        switch outcome {
        case .rateLimited:
            return refuse("registration_flood", "a registration from peer \(Self.key(peer)) (\(registration.host)) over the limit")
        case let .accepted(new): id = new
        case let .restarted(new, old):
            id = new
            forget(old)
            out.append(.log("\(old) registered again as \(new): a restart; its work goes back to the queue"))
            out.append(.deliver(.left(old)))
        }
        let number = nextNumber
        nextNumber &+= 1
        peers[id] = (peer, number)
        if registration.capabilities.scoreTexts && id.role == .reward { textScorers.insert(id) }
        out.append(.transmit(peer: peer, worker: number, .welcome(welcomeMessage(number))))
        out.append(.log("\(id) registered: \(registration.host) pid \(registration.pid) \(registration.device)"))
        return out
    }

    /// The `Welcome` for the worker numbered `number`.
    private func welcomeMessage(_ number: UInt32) -> Welcome {
        Welcome(worker: number, heartbeatMilliseconds: Int(registry.heartbeatInterval * 1000), runSeed: welcome.runSeed,
                policyVersion: policyVersion, configDigest: welcome.digest, runConfig: welcome.runConfig,
                configOverrides: welcome.overrides)
    }

    /// The clock reads `now`: dead workers leave, heartbeats go out every interval, and the learner
    /// gets the time.
    package mutating func tick(now: Double) -> [Output] {
        var out: [Output] = []
        for id in registry.expire(now: now) {
            forget(id)
            out.append(.log("\(id) is dead: nothing heard for \(registry.liveness) heartbeat intervals"))
            out.append(.deliver(.left(id)))
        }
        if now - lastHeartbeat >= registry.heartbeatInterval {
            lastHeartbeat = now
            for record in registry.workers {
                if let peer = peers[record.id] { out.append(.transmit(peer: peer.identity, worker: peer.number, .heartbeat)) }
            }
        }
        out.append(.deliver(.tick(now)))
        return out
    }

    /// The answer to an operator's request, to the peer it came from.
    package func answer(_ answer: OperatorAnswer, to peer: [UInt8]) -> [Output] {
        [.transmit(peer: peer, worker: 0, .operatorAnswer(answer))]
    }

    /// The worker whose key was issued as `name` (`ROLE-INDEX`), when it is registered now.
    package func worker(named name: String) -> WorkerID? {
        boundPeers[name].flatMap { registry.worker(identity: $0) }
    }

    /// Each registered worker whose key was issued by name → that name.
    package var workerNames: [WorkerID: String] {
        var names: [WorkerID: String] = [:]
        for (name, peer) in boundPeers { if let id = registry.worker(identity: peer) { names[id] = name } }
        return names
    }

    /// Why `admit(name:key:)` refused.
    package enum AdmitRefusal: Error, Equatable, CustomStringConvertible {
        /// The session runs without keys: every worker gets in already.
        case keyless
        /// The name is already issued (to another key, or to this one).
        case nameTaken(String)
        /// The key is already admitted, as `name`.
        case keyTaken(name: String)
        /// The text is no CurveZMQ public key.
        case malformedKey

        package var description: String {
            switch self {
            case .keyless: "this learner runs without keys (--insecure): any worker joins without being admitted"
            case let .nameTaken(name): "the name \(name) is already issued to a key"
            case let .keyTaken(name): "that key is already admitted, as \(name)"
            case .malformedKey: "the public key is not a CurveZMQ key in Z85"
            }
        }
    }

    /// Admits the CurveZMQ key `key` (Z85) as worker `name` (`ROLE-INDEX`) from now on: a worker issued
    /// while the run goes on. Names and keys are issued once.
    package mutating func admit(name: String, key: String) throws(AdmitRefusal) {
        guard !clientNames.isEmpty else { throw .keyless }
        if let taken = clientNames[key] { throw .keyTaken(name: taken) }
        guard !clientNames.values.contains(name) else { throw .nameTaken(name) }
        clientNames[key] = name
    }

    /// How many keys are issued (the operator's too).
    package var issuedCount: Int { clientNames.count }

    /// Whether the name `name` is issued to a key.
    package func isIssued(_ name: String) -> Bool { clientNames.values.contains(name) }

    /// Whether `worker` asked for the texts of its score requests when it registered (a reward worker that
    /// scores text): the transport fills `SequenceRequest.texts` before it sends it one.
    package func scoresTexts(_ worker: WorkerID) -> Bool { textScorers.contains(worker) }

    /// Version `version`'s byte stream is in the file at `path`, readable by workers that registered from
    /// `host`: their manifests of it name the file (they still may ask for chunks).
    package mutating func offerShared(version: Int, path: String, host: String) {
        sharedCopies[version] = (path, host)
    }

    /// The bytes of the newest published version's stream (nil before the first).
    package var newestStreamBytes: Int? { streams.keys.max().flatMap { streams[$0]?.manifest.totalBytes } }

    /// Version `version`'s published stream.
    package func stream(version: Int) -> WeightStreamSource? { streams[version] }

    /// Whether version `version`'s stream is published (its checksums done).
    package func isPublished(version: Int) -> Bool { streams[version] != nil }

    /// Publishes a version's stream, built (and checksummed) by the caller outside any lock it holds the
    /// session under; sending `.weights` of that version then reuses it.
    package mutating func publish(_ stream: WeightStreamSource) {
        guard streams[stream.manifest.version] == nil else { return }
        streams[stream.manifest.version] = stream
    }

    /// The frames of the learner's `message` to `worker`, or nil when the worker is gone.
    package mutating func send(_ message: LearnerMessage, to worker: WorkerID) -> [Output]? {
        guard let peer = peers[worker] else { return nil }
        switch message {
        case let .weights(weights):
            policyVersion = max(policyVersion, weights.version)
            let stream = streams[weights.version] ?? WeightStreamSource(weights)
            streams[weights.version] = stream
            for old in streams.keys where old < weights.version - 1 { streams[old] = nil }
            for old in sharedCopies.keys where old < weights.version - 1 { sharedCopies[old] = nil }
            var manifest = stream.manifest
            if let copy = sharedCopies[weights.version], registry.record(worker)?.host == copy.host { manifest.sharedMemory = copy.path }
            return [.transmit(peer: peer.identity, worker: peer.number, .weightsManifest(manifest))]
        case .stop:
            // a stopped worker leaves the run now (`cluster/workers/...` no longer counts it)
            forget(worker)
            stopped.insert(Self.key(peer.identity))
            return [.transmit(peer: peer.identity, worker: peer.number, .control(.stop))]
        default:
            guard let wire = WireMessage(message) else { return [] }
            return [.transmit(peer: peer.identity, worker: peer.number, wire)]
        }
    }

    /// Drops the peer whose queue stayed full past the send timeout (it stopped reading): its worker
    /// leaves the run, its leases go back to the queue, and what it still sends is dropped until it
    /// registers again. Counted as `slow_peer`.
    package mutating func dropSlowPeer(_ peer: [UInt8]) -> [Output] {
        guard let id = registry.worker(identity: Self.key(peer)) else { return [] }
        forget(id)
        stopped.insert(Self.key(peer))
        refused["slow_peer", default: 0] += 1
        return [.log("dropped \(id): its queue stayed full past the send timeout (it stopped reading)"), .deliver(.left(id))]
    }

    /// Drops the peer a send found not connected (its socket closed without a word, its process died):
    /// its worker leaves the run now, not after missed heartbeats, and its leases go back to the queue.
    /// A worker that comes back connects anew, with another routing id, and registers again.
    package mutating func dropGonePeer(_ peer: [UInt8]) -> [Output] {
        guard let id = registry.worker(identity: Self.key(peer)) else { return [] }
        forget(id)
        stopped.insert(Self.key(peer))
        return [.log("\(id) disconnected: a message to it found its connection closed"), .deliver(.left(id))]
    }

    /// Counts a large message dropped unread because `peer` had too many waiting (`flood`).
    package mutating func refuseFlood(from peer: [UInt8], bytes: Int) -> [Output] {
        refuse("flood", "a \(bytes)-byte message from peer \(Self.key(peer)): it has too many large messages waiting")
    }

    /// Forgets a worker that left.
    package mutating func forget(_ id: WorkerID) {
        if let peer = peers[id] { credits[Self.key(peer.identity)] = nil }
        registry.remove(id)
        announced.remove(id)
        textScorers.remove(id)
        peers[id] = nil
    }

    /// Counts a refusal; logs the first 10 of each reason, then every 1,000th (a hostile peer cannot
    /// fill the log).
    private mutating func refuse(_ reason: String, _ line: String) -> [Output] {
        let count = refused[reason, default: 0] + 1
        refused[reason] = count
        guard count <= 10 || count % 1000 == 0 else { return [] }
        return [.log("refused \(line)" + (count >= 10 ? " (\(count) refused as \(reason) so far; every 1,000th is logged)" : ""))]
    }

    private static func reason(_ error: WireError) -> String {
        switch error {
        case .protocolVersion: "protocol_version"
        case .frameTooLarge: "oversized"
        case .wrongSender: "wrong_kind"
        case let .outOfRange(field, _, _) where field == "Register.role": "unknown_role"
        default: "malformed"
        }
    }
}
