import Wire

/// A worker's side of the wire protocol as a pure state machine over an injected clock: it registers,
/// takes the `Welcome` (its number and the run config), turns the learner's frames into the role's
/// messages, assembles weight streams (`WeightStreamAssembler`: requests by credit, resumes a stalled
/// stream, refuses one that fails its checksums), sends heartbeats when it has been quiet, and notices
/// when the learner has gone silent, so its driver registers again. Malformed frames are dropped and
/// counted; nothing the learner's socket delivers stops it.
package struct WorkerSession {
    /// What the driving actor does next.
    package enum Output: Equatable {
        /// Send `message` to the learner.
        case transmit(WireMessage)
        /// The learner welcomed this worker: build the role from the run config.
        case welcomed(Welcome)
        /// Give the role this message.
        case deliver(LearnerMessage)
        /// The learner has been silent for `liveness` heartbeat intervals: register again.
        case learnerLost
        /// Write this line to the log.
        case log(String)
    }

    /// What this worker says when it registers.
    package let registration: Register
    /// Chunks asked for per weight request.
    package let credit: Int
    /// The number the learner gave this worker (nil before `Welcome`).
    package private(set) var number: UInt32?
    /// Frames dropped, by reason.
    package private(set) var dropped: [String: Int] = [:]
    private var assembler: WeightStreamAssembler?
    private var chunksSinceRequest = 0
    private var heartbeat = 1.0, liveness = 3
    private var lastHeard = 0.0, lastSent = 0.0
    /// Whether the role has said hello (its first READY went out), and whether it asked to drain.
    private var helloSent = false, drainPending = false

    /// A session that registers as `registration`.
    package init(registration: Register, credit: Int = 16) {
        self.registration = registration
        self.credit = credit
    }

    /// The first message: `Register`, at `now`.
    package mutating func start(now: Double) -> [Output] {
        number = nil
        lastHeard = now
        lastSent = now
        return [.transmit(.register(registration))]
    }

    /// Weight streams are checked against this layout (a generator's model's tensors).
    package mutating func expectWeights(layout: [WeightTensor]) {
        assembler = WeightStreamAssembler(layout: layout)
    }

    /// Handles frames from the learner at `now`.
    package mutating func receive(_ decoded: Result<WireEnvelope, WireError>, now: Double) -> [Output] {
        let envelope: WireEnvelope
        switch decoded {
        case let .failure(error):
            dropped["malformed", default: 0] += 1
            return [.log("dropped a frame from the learner: \(error)")]
        case let .success(e): envelope = e
        }
        lastHeard = now
        switch envelope.message {
        case let .welcome(welcome):
            number = welcome.worker
            heartbeat = Double(welcome.heartbeatMilliseconds) / 1000
            return [.welcomed(welcome)]
        case .heartbeat:
            return []
        case let .weightsManifest(manifest):
            guard assembler != nil else { return [.transmit(.weightsRefused(version: manifest.version, reason: "this worker takes no weights"))] }
            switch assembler!.begin(manifest, now: now) {
            case let .failed(why): return [.transmit(.weightsRefused(version: manifest.version, reason: why))]
            case let .complete(weights): return [.deliver(.weights(weights))]
            default:
                chunksSinceRequest = 0
                return assembler!.request(credit: credit).map { [.transmit(.weightsRequest($0))] } ?? []
            }
        case let .weightsChunk(chunk):
            guard assembler != nil else { return [] }
            let outcome = chunk.bytes.withUnsafeBytes {
                assembler!.receive(version: chunk.version, offset: chunk.byteOffset, bytes: $0, now: now)
            }
            switch outcome {
            case .accepted:
                chunksSinceRequest += 1
                guard chunksSinceRequest >= credit, let request = assembler!.request(credit: credit) else { return [] }
                chunksSinceRequest = 0
                return [.transmit(.weightsRequest(request))]
            case let .complete(weights): return [.deliver(.weights(weights))]
            case let .failed(why): return [.transmit(.weightsRefused(version: chunk.version, reason: why))]
            case let .ignored(why):
                dropped["stale_chunk", default: 0] += 1
                return [.log("dropped a weight chunk: \(why)")]
            }
        default:
            guard let message = envelope.message.learnerMessage else {
                dropped["wrong_kind", default: 0] += 1
                return [.log("dropped a \(envelope.message.kind) from the learner")]
            }
            return [.deliver(message)]
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

    /// The clock reads `now`: a heartbeat when quiet, a stalled stream asked again, a silent learner lost.
    package mutating func tick(now: Double) -> [Output] {
        var out: [Output] = []
        if number != nil && now - lastHeard > heartbeat * Double(liveness) {
            assembler?.drop()
            number = nil
            return [.log("the learner has been silent for \(liveness) heartbeat intervals; registering again"), .learnerLost]
        }
        if let assembler, assembler.isStalled(now: now), let request = assembler.request(credit: credit) {
            self.assembler!.restart(now: now)
            chunksSinceRequest = 0
            out.append(.log("weights v\(request.version) stalled at byte \(request.byteOffset); asking again"))
            out.append(.transmit(.weightsRequest(request)))
        }
        if number != nil && now - lastSent >= heartbeat {
            lastSent = now
            out.append(.transmit(.heartbeat))
        }
        return out
    }
}
