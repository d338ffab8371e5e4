import ClusterCore
import Foundation
import Logging
import Synchronization
import Wire
import ZeroMQ

/// A worker's transport over ZeroMQ: a DEALER socket driven through the pure `WorkerSession`. It
/// registers, waits for the learner's `Welcome`, then hands the role the learner's messages (weight
/// streams assembled and verified first) and sends the role's answers; it heartbeats when quiet and
/// registers again when the learner goes silent (libzmq reconnects the socket itself, with back-off; a
/// rebuilt connection has a new routing id, so the learner hears from it only once it registers again).
/// When the session ends (`endReason`), the role's inbox finishes.
package final class ZMQWorkerTransport: WorkerTransport, @unchecked Sendable {
    package let id: WorkerID
    package let incoming: AsyncStream<LearnerMessage>
    private let messages: AsyncStream<LearnerMessage>.Continuation
    private let welcomes: AsyncStream<Welcome>.Continuation
    private let welcomeStream: AsyncStream<Welcome>
    private let dealer: DealerEndpoint
    private let session: Mutex<WorkerSession>
    private let outbox: AsyncStream<[Frame]>.Continuation
    private let sequence = Atomic<UInt64>(0)
    private let logger: Logger
    private let clock = SessionClock()
    private var tasks: [Task<Void, Never>] = []
    private let ending = Mutex<String?>(nil)
    private let lost = Atomic<Int>(0)
    /// The learner's weights socket, for versions whose chunks come sealed.
    private var sealedLane: SealedWeightsLane!

    /// How many times the session lost the learner (silent for its liveness) and registered again.
    package var learnerLosses: Int { lost.load(ordering: .relaxed) }

    /// Connects to the learner at `endpoint` and registers as `registration`; the session ends after
    /// `learnerTimeout` seconds without a word from the learner.
    package init(endpoint: String, security: ClientSecurity, registration: Register, learnerTimeout: Double = 300,
                 context: ZMQContext, logger: Logger) async throws {
        dealer = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: security, name: registration.role.rawValue,
                                                       logger: logger), context: context)
        id = WorkerID(role: registration.role, index: 0)
        self.logger = logger
        session = Mutex(WorkerSession(registration: registration, learnerTimeout: learnerTimeout,
                                      jitterSeed: UInt64(truncatingIfNeeded: registration.pid)))
        (incoming, messages) = AsyncStream.makeStream(of: LearnerMessage.self)
        (welcomeStream, welcomes) = AsyncStream.makeStream(of: Welcome.self)
        let (outgoing, outbox) = AsyncStream.makeStream(of: [Frame].self)
        self.outbox = outbox
        let dealer = dealer
        tasks.append(Task.detached { [weak self] in
            for await frames in dealer.incoming {
                guard let self else { return }
                if self.hoarding.load(ordering: .relaxed), case let .success(envelope) = WireFrames.decode(frames, from: .learner),
                   case let .weightsManifest(manifest) = envelope.message {
                    await self.hoard(version: manifest.version)
                    return
                }
                let decoded = WireFrames.decodeInPlace(frames)
                let now = self.now
                self.perform(self.session.withLock { session in
                    WireFrames.withPayload(frames, of: decoded) { session.receive(decoded, payload: $0, now: now) }
                })
            }
            self?.messages.finish()
        })
        tasks.append(Task.detached { [weak self] in
            for await frames in outgoing {
                do { try await dealer.send(frames) } catch { self?.logger.warning("cannot send to the learner: \(error)") }
            }
        })
        tasks.append(Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard let self, !self.silent.load(ordering: .relaxed) else { continue }
                let now = self.now
                self.perform(self.session.withLock { $0.tick(now: now) })
            }
        })
        sealedLane = SealedWeightsLane(learnerEndpoint: endpoint, context: context, logger: logger) { [weak self] frames in
            guard let self else { return }
            let decoded = WireFrames.decodeInPlace(frames)
            let now = self.now
            self.perform(self.session.withLock { session in
                WireFrames.withPayload(frames, of: decoded) { session.receiveSealedChunk(decoded, payload: $0, now: now) }
            })
        }
        let now = self.now
        perform(session.withLock { $0.start(now: now) })
    }

    private var now: Double { clock.now }

    /// A hostile peer for tests (`rlhf worker --fault hoard-weights`): at the first weights manifest the
    /// worker stops reading its socket and asks for that version's chunks from byte 0, 64 at a time,
    /// every 10 ms, sending nothing else (no heartbeat, no registration) until it is closed.
    package func hoardWeights() { hoarding.store(true, ordering: .relaxed) }
    private let hoarding = Atomic<Bool>(false), silent = Atomic<Bool>(false)

    private func hoard(version: Int) async {
        silent.store(true, ordering: .relaxed)
        logger.warning("hoarding weights v\(version): asking for its chunks again and again, reading nothing (--fault hoard-weights)")
        let number = session.withLock { $0.number } ?? 0
        while !Task.isCancelled {
            let request = WireMessage.weightsRequest(WeightsRequest(version: version, byteOffset: 0, credit: 64))
            if let frames = try? WireFrames.encode(request, header: WireHeader(worker: number, sequence: sequence.add(1, ordering: .relaxed).newValue)) {
                outbox.yield(frames)
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The learner's first `Welcome` (nil if the transport closed first).
    package func welcome() async -> Welcome? {
        var iterator = welcomeStream.makeAsyncIterator()
        return await iterator.next()
    }

    /// Weight streams are checked against this layout (a generator's model).
    package func expectWeights(layout: [WeightTensor]) { session.withLock { $0.expectWeights(layout: layout) } }

    /// Why the session ended (the learner silent past the timeout, or another run config), or nil.
    package var endReason: String? { ending.withLock { $0 } }

    /// Frames dropped so far, by reason.
    package var dropped: [String: Int] { session.withLock { $0.dropped } }

    /// Weight versions taken whole from the learner's shared-memory file so far.
    package var sharedWeightsTaken: Int { session.withLock { $0.sharedWeights.taken } }

    package func send(_ message: WorkerMessage) throws(TransportError) {
        let now = self.now
        perform(session.withLock { $0.send(message, now: now) })
    }

    private func perform(_ outputs: [WorkerSession.Output]) {
        for output in outputs {
            switch output {
            case let .transmit(message):
                let number = session.withLock { $0.number } ?? 0
                do {
                    outbox.yield(try WireFrames.encode(message, header: WireHeader(worker: number, sequence: sequence.add(1, ordering: .relaxed).newValue)))
                } catch {
                    logger.error("cannot encode a \(message.kind): \(error)")
                }
            case let .welcomed(welcome): welcomes.yield(welcome)
            case let .deliver(message): messages.yield(message)
            case .learnerLost:
                lost.add(1, ordering: .relaxed)
                let now = self.now
                perform(session.withLock { $0.start(now: now) })
            case let .end(reason):
                ending.withLock { $0 = reason }
                messages.finish()
                welcomes.finish()
            case let .log(line): logger.info("\(line)")
            case let .readSharedWeights(path, version):
                readShared(path: path, version: version)
            case let .requestSealed(port, request):
                let number = session.withLock { $0.number } ?? 0
                do {
                    sealedLane.send(try WireFrames.encode(.weightsRequest(request), header: WireHeader(worker: number, sequence: sequence.add(1, ordering: .relaxed).newValue)),
                                    port: port)
                } catch {
                    logger.error("cannot encode a weights request: \(error)")
                }
            }
        }
    }

    /// Hands the session version `version`'s values in the learner's shared-memory file, mapped read-only
    /// (used in place; unmapped when the last reference to them goes), or says why the file cannot be used.
    private func readShared(path: String, version: Int) {
        let size = session.withLock { $0.expectedWeightBytes(version: version) } ?? 0
        let now = self.now
        do {
            let values = try SharedWeightsMapping(path: path, size: size).values
            perform(session.withLock { $0.receiveSharedWeights(version: version, values: values, now: now) })
        } catch {
            perform(session.withLock { $0.sharedWeightsUnavailable(version: version, reason: error.description, now: now) })
        }
    }

    /// Closes the socket; the role's inbox finishes.
    package func close() async {
        for task in tasks { task.cancel() }
        outbox.finish()
        messages.finish()
        welcomes.finish()
        await sealedLane.close()
        await dealer.close()
    }
}
