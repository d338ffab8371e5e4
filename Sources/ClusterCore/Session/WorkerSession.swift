import SeededRandom
import Wire

/// A worker's side of the wire protocol as a pure state machine over an injected clock: it registers
/// (again and again, with back-off and jitter, until a `Welcome` comes), takes the `Welcome` (its number
/// and the run config), turns the learner's frames into the role's messages, assembles weight streams
/// (`WeightStreamAssembler`: requests by credit, resumes a stalled stream, refuses one that fails its
/// checksums), sends heartbeats when it has been quiet, and notices when the learner has gone silent:
/// after `liveness` heartbeat intervals it registers again (a learner that froze, or a connection that
/// was rebuilt and now has another routing id), and once a role is built every later `Welcome` is
/// answered with `READY`, so the learner leases it work again. After `learnerTimeout` seconds with nothing
/// from the learner it ends. Malformed frames are dropped and counted; nothing the learner's socket
/// delivers stops it.
package struct WorkerSession {
    /// What the driving actor does next.
    package enum Output: Equatable {
        /// Send `message` to the learner.
        case transmit(WireMessage)
        /// The learner welcomed this worker for the first time: build the role from the run config.
        case welcomed(Welcome)
        /// Give the role this message.
        case deliver(LearnerMessage)
        /// The learner has been silent for `liveness` heartbeat intervals: the session registers again.
        case learnerLost
        /// The worker cannot go on (the learner silent past `learnerTimeout`, or its run config changed):
        /// stop, saying `reason` in one line.
        case end(reason: String)
        /// Write this line to the log.
        case log(String)
        /// The manifest of `version` names a file holding its whole byte stream (the learner is on this
        /// host): read it and hand its bytes to `receiveSharedWeights`, or say `sharedWeightsUnavailable`.
        case readSharedWeights(path: String, version: Int)
        /// Send `request` on the learner's weights socket, at `port` of the host the learner is reached at:
        /// its chunks come back sealed there, for `receiveSealedChunk`.
        case requestSealed(port: Int, WeightsRequest)
    }

    /// The first wait before `REGISTER` is sent again without a `Welcome`, and the longest one: each
    /// wait doubles, times a jitter factor drawn in [0.5, 1.5), so workers that lost their learner at
    /// the same moment do not register in lockstep (and under the learner's rate limit they retry).
    package static let registerRetry = (first: 1.0, longest: 16.0)

    /// What this worker says when it registers.
    package let registration: Register
    /// Chunks asked for per weight request.
    package let credit: Int
    /// Seconds of silence from the learner after which the session ends (`Output.end`).
    package let learnerTimeout: Double
    /// The number the learner gave this worker (nil before `Welcome`, and while registering again).
    package private(set) var number: UInt32?
    /// Frames dropped, by reason.
    package private(set) var dropped: [String: Int] = [:]
    /// `REGISTER`s sent, the first included.
    package private(set) var registrations = 0
    /// Versions taken whole from the learner's shared-memory file, and those that fell back to chunks.
    package private(set) var sharedWeights = (taken: 0, fellBack: 0)
    private var assembler: WeightStreamAssembler?
    private var chunksSinceRequest = 0
    private var heartbeat = 1.0, liveness = 3
    private var lastHeard = 0.0, lastSent = 0.0
    /// When `REGISTER` goes out again without a `Welcome`, and the wait before the one after.
    private var nextRegister = Double.infinity, registerWait = registerRetry.first
    /// The first `Welcome`'s config digest: a learner that later welcomes with another runs another run.
    private var firstDigest: [UInt8]?
    /// Whether the role has said hello (its first READY went out), and whether it asked to drain.
    private var helloSent = false, drainPending = false
    private var started = false, ended = false
    private var jitter: SplitMix64

    /// A session that registers as `registration`, ending after `learnerTimeout` seconds of silence;
    /// `jitterSeed` seeds the registration back-off's jitter (the process id is a good one).
    package init(registration: Register, credit: Int = 16, learnerTimeout: Double = 300, jitterSeed: UInt64 = 0) {
        self.registration = registration
        self.credit = credit
        self.learnerTimeout = learnerTimeout
        jitter = SplitMix64(seed: jitterSeed)
    }

    /// `REGISTER`, at `now`: the first message, and again whenever the learner was lost.
    package mutating func start(now: Double) -> [Output] {
        number = nil
        if !started { lastHeard = now }  // the learner timeout counts from the start, never restarts
        started = true
        lastSent = now
        registerWait = Self.registerRetry.first
        return register(now: now)
    }

    /// Sends `REGISTER` and schedules the next one, should no `Welcome` come.
    private mutating func register(now: Double) -> [Output] {
        registrations += 1
        nextRegister = now + registerWait * nextJitter()
        registerWait = min(registerWait * 2, Self.registerRetry.longest)
        return [.transmit(.register(registration))]
    }

    /// A factor in [0.5, 1.5) (the next draw of the seeded SplitMix64 stream).
    private mutating func nextJitter() -> Double { 0.5 + Double(jitter.next() >> 11) / Double(1 << 53) }

    /// Answers a `Welcome`: the first one builds the role; a later one (the session registered again)
    /// is answered with READY once the role is built, so the learner counts this worker again.
    private mutating func welcomed(_ welcome: Welcome, now: Double) -> [Output] {
        number = welcome.worker
        heartbeat = Double(welcome.heartbeatMilliseconds) / 1000
        nextRegister = .infinity
        guard let firstDigest else {
            firstDigest = welcome.configDigest
            return [.welcomed(welcome)]
        }
        guard firstDigest == welcome.configDigest else {
            return end("the learner now runs another run config than the one this worker's role was built from; start the worker again")
        }
        guard helloSent else { return [] }  // the role is still being built: its hello sends the first READY
        lastSent = now
        return [.log("welcomed again as worker \(welcome.worker); ready for work"), .transmit(.ready(Ready(credit: 1)))]
            + (drainPending ? [.transmit(.ready(Ready(credit: 0)))] : [])
    }

    private mutating func end(_ reason: String) -> [Output] {
        guard !ended else { return [] }
        ended = true
        assembler?.drop()
        return [.end(reason: reason)]
    }

    /// Weight streams are checked against this layout (a generator's model's tensors).
    package mutating func expectWeights(layout: [WeightTensor]) {
        assembler = WeightStreamAssembler(layout: layout)
    }

    /// Handles frames from the learner at `now`; `payload`: a weight chunk's bytes, decoded in place
    /// (`WireCodec.decode(copyingChunk: false)`).
    package mutating func receive(_ decoded: Result<WireEnvelope, WireError>, payload: UnsafeRawBufferPointer? = nil, now: Double) -> [Output] {
        let envelope: WireEnvelope
        switch decoded {
        case let .failure(error):
            dropped["malformed", default: 0] += 1
            return [.log("dropped a frame from the learner: \(error)")]
        case let .success(e): envelope = e
        }
        if ended { return [] }
        lastHeard = now
        switch envelope.message {
        case let .welcome(welcome):
            return welcomed(welcome, now: now)
        case .heartbeat:
            return []
        case let .weightsManifest(manifest):
            guard assembler != nil else { return [.transmit(.weightsRefused(version: manifest.version, reason: "this worker takes no weights"))] }
            switch assembler!.begin(manifest, now: now) {
            case let .failed(why): return [.transmit(.weightsRefused(version: manifest.version, reason: why))]
            case let .complete(weights): return [.deliver(.weights(weights))]
            default:
                chunksSinceRequest = 0
                if let path = manifest.sharedMemory { return [.readSharedWeights(path: path, version: manifest.version)] }
                return assembler!.request(credit: credit).map { [asking($0)] } ?? []
            }
        case let .weightsChunk(chunk):
            return take(chunk, payload: payload, sealed: false, now: now)
        default:
            guard let message = envelope.message.learnerMessage else {
                dropped["wrong_kind", default: 0] += 1
                return [.log("dropped a \(envelope.message.kind) from the learner")]
            }
            return [.deliver(message)]
        }
    }

    /// Versions whose sealed stream brought nothing in the stall time, taken over the learner's channel instead.
    package private(set) var sealedUnreachable = 0

    /// Handles frames from the learner's weights socket at `now`: only sealed chunks of the stream in
    /// progress are taken (they prove themselves by their seal); anything else there is dropped and counted.
    package mutating func receiveSealedChunk(_ decoded: Result<WireEnvelope, WireError>, payload: UnsafeRawBufferPointer? = nil,
                                             now: Double) -> [Output] {
        guard !ended, case let .success(envelope) = decoded, case let .weightsChunk(chunk) = envelope.message else {
            dropped["weights_socket", default: 0] += 1
            return [.log("dropped a frame from the learner's weights socket: not a weight chunk")]
        }
        return take(chunk, payload: payload, sealed: true, now: now)
    }

    /// Takes `chunk` (its bytes in `payload` when decoded in place) into the stream in progress (`sealed`:
    /// opened with the manifest's key).
    private mutating func take(_ chunk: WeightsChunk, payload: UnsafeRawBufferPointer?, sealed: Bool, now: Double) -> [Output] {
        guard assembler != nil else { return [] }
        let outcome = payload.map { assembler!.receive(version: chunk.version, offset: chunk.byteOffset, bytes: $0, sealed: sealed, now: now) }
            ?? chunk.bytes.withUnsafeBytes {
                assembler!.receive(version: chunk.version, offset: chunk.byteOffset, bytes: $0, sealed: sealed, now: now)
            }
        switch outcome {
        case .accepted:
            chunksSinceRequest += 1
            guard chunksSinceRequest >= credit, let request = assembler!.request(credit: credit) else { return [] }
            chunksSinceRequest = 0
            return [asking(request)]
        case let .complete(weights): return [.deliver(.weights(weights))]
        case let .failed(why): return [.transmit(.weightsRefused(version: chunk.version, reason: why))]
        case let .ignored(why):
            dropped[sealed ? "unsealed_chunk" : "stale_chunk", default: 0] += 1
            return [.log("dropped a weight chunk: \(why)")]
        }
    }

    /// The output that sends `request`: on the weights socket when the stream comes sealed, else to the learner.
    private func asking(_ request: WeightsRequest) -> Output {
        if let sealed = assembler?.manifest?.sealed, sealed.ticket == request.ticket { return .requestSealed(port: sealed.port, request) }
        return .transmit(.weightsRequest(request))
    }

    /// Takes version `version`'s whole byte stream from the learner's shared-memory file, as `values` (its
    /// mapping, used in place). Values that do not fit the manifest or fail a checksum are not used: the
    /// stream is asked for in chunks instead.
    package mutating func receiveSharedWeights(version: Int, values: WeightValues, now: Double) -> [Output] {
        guard !ended, let manifest = assembler?.manifest, manifest.version == version, assembler!.received == 0 else { return [] }
        guard values.count * 4 == manifest.totalBytes else {
            return fallBack(manifest, now: now, "the shared-memory file holds \(values.count * 4) bytes; v\(version) has \(manifest.totalBytes)")
        }
        switch assembler!.takeWhole(version: version, values: values, now: now) {
        case let .complete(weights):
            sharedWeights.taken += 1
            return [.log("took weights v\(version) from shared memory"), .deliver(.weights(weights))]
        case let .failed(why): return fallBack(manifest, now: now, why)
        case let .ignored(why): return fallBack(manifest, now: now, why)
        case .accepted: return fallBack(manifest, now: now, "the shared-memory file did not complete v\(version)")
        }
    }

    /// The byte length of version `version`'s stream, while it is being assembled.
    package func expectedWeightBytes(version: Int) -> Int? {
        assembler?.manifest.flatMap { $0.version == version ? $0.totalBytes : nil }
    }

    /// The learner's shared-memory file for `version` cannot be read here (another host, another user):
    /// the stream is asked for in chunks.
    package mutating func sharedWeightsUnavailable(version: Int, reason: String, now: Double) -> [Output] {
        guard !ended, let manifest = assembler?.manifest, manifest.version == version, assembler!.received == 0 else { return [] }
        return fallBack(manifest, now: now, reason)
    }

    /// Starts `manifest`'s stream again, in chunks (`why` says why the file was not used).
    private mutating func fallBack(_ manifest: WeightsManifest, now: Double, _ why: String) -> [Output] {
        if manifest.sharedMemory != nil { sharedWeights.fellBack += 1 }
        var chunked = manifest
        chunked.sharedMemory = nil
        chunked.sealed = nil
        switch assembler!.begin(chunked, now: now) {
        case let .failed(reason): return [.transmit(.weightsRefused(version: manifest.version, reason: reason))]
        case let .complete(weights): return [.deliver(.weights(weights))]
        default:
            chunksSinceRequest = 0
            return [.log("weights v\(manifest.version) in chunks: \(why)")]
                + (assembler!.request(credit: credit).map { [asking($0)] } ?? [])
        }
    }

    /// The role's message: `hello` (the role is built) becomes `READY`, the rest their wire kinds.
    package mutating func send(_ message: WorkerMessage, now: Double) -> [Output] {
        if case .hello = message {
            lastSent = now
            helloSent = true
            // a drain asked for while the role was being built follows its first READY at once
            return [.transmit(.ready(Ready(credit: 1)))] + (drainPending ? [.transmit(.ready(Ready(credit: 0)))] : [])
        }
        if case .draining = message {
            drainPending = true
            guard helloSent else { return [] }  // the learner ignores a credit-0 READY before the first one
        }
        // `draining` is READY with credit 0 (WireMessage)
        guard let wire = WireMessage(message) else { return [] }
        lastSent = now
        return [.transmit(wire)]
    }

    /// The clock reads `now`: the end after `learnerTimeout` of silence, a silent learner lost, `REGISTER`
    /// again when no `Welcome` came, a stalled stream asked again, a heartbeat when quiet.
    package mutating func tick(now: Double) -> [Output] {
        if ended { return [] }
        if now - lastHeard > learnerTimeout {
            return end("nothing from the learner for \(Int(learnerTimeout.rounded())) s (--learner-timeout); giving up")
        }
        var out: [Output] = []
        if number != nil && now - lastHeard > heartbeat * Double(liveness) {
            assembler?.drop()
            number = nil
            return [.log("the learner has been silent for \(liveness) heartbeat intervals; registering again"), .learnerLost]
        }
        if number == nil && started && now >= nextRegister {
            return register(now: now)
        }
        if let assembler, assembler.isStalled(now: now), let manifest = assembler.manifest, manifest.sealed != nil, assembler.received == 0 {
            // not one sealed chunk in the stall time: the weights socket is out of reach (a firewall); take
            // the stream over the learner's channel instead, as before sealing
            sealedUnreachable += 1
            return out + fallBack(manifest, now: now, "nothing from the learner's weights socket (port \(manifest.sealed!.port)) in \(Int(assembler.stallSeconds)) s")
        }
        if let assembler, assembler.isStalled(now: now), let request = assembler.request(credit: credit) {
            self.assembler!.restart(now: now)
            chunksSinceRequest = 0
            out.append(.log("weights v\(request.version) stalled at byte \(request.byteOffset); asking again"))
            out.append(asking(request))
        }
        if number != nil && now - lastSent >= heartbeat {
            lastSent = now
            out.append(.transmit(.heartbeat))
        }
        return out
    }
}
