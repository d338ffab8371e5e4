import Foundation
@testable import ClusterCore
import Wire
import XCTest

/// Generators on the learner's host: their manifest names the version's shared-memory file, and they take
/// the whole stream from it without asking for a chunk; bytes that do not match (short, corrupt) or a file
/// that cannot be read fall back to chunks, and the version still arrives equal. Workers on other hosts
/// never see the file. The manifest names no file outside `/dev/shm/rlhf-weights-`.
final class SharedWeightsSessionTests: XCTestCase {
    let path = "/dev/shm/rlhf-weights-77-1-v4"

    /// A learner and a welcomed, ready generator that registered from `host`; the learner offered the
    /// version's file for host `h`.
    func connected(from host: String) throws -> (LearnerSession, WorkerSession, WorkerID, UInt32) {
        var learner = LearnerSession(welcome: SessionTests.welcome)
        var registration = SessionTests.registration
        registration.host = host
        var worker = WorkerSession(registration: registration, credit: 4)
        worker.expectWeights(layout: WeightStreamTests.layout)
        let peer: [UInt8] = [9, 9]
        guard case let .transmit(register)? = worker.start(now: 0).first,
              case let .transmit(_, number, welcome)? = learner.receive(SessionTests.wire(register, from: .worker), from: peer, now: 0).first
        else { throw XCTSkip("unreachable: the session did not register") }
        _ = worker.receive(SessionTests.wire(welcome, worker: number, from: .learner), now: 0)
        guard case let .transmit(ready)? = worker.send(.hello(.rollout), now: 0).first else { throw XCTSkip("unreachable") }
        _ = learner.receive(SessionTests.wire(ready, worker: number, from: .worker), from: peer, now: 0)
        learner.publish(WeightStreamSource(WeightStreamTests.weights))
        learner.offerShared(version: 4, path: path, host: "h")
        return (learner, worker, WorkerID(role: .rollout, index: 0), number)
    }

    /// The manifest the learner sends `id`, through the codec, and the worker's answer to it.
    func manifest(_ learner: inout LearnerSession, _ worker: inout WorkerSession, _ id: WorkerID, _ number: UInt32) throws
        -> (WeightsManifest, [WorkerSession.Output]) {
        guard case let .transmit(_, _, message)? = learner.send(.weights(WeightStreamTests.weights), to: id)?.first,
              case let .weightsManifest(manifest) = message else { throw XCTSkip("unreachable: no manifest") }
        return (manifest, worker.receive(SessionTests.wire(message, worker: number, from: .learner), now: 1))
    }

    func testSameHostTakesTheWholeVersionFromTheFile() throws {
        var (learner, worker, id, number) = try connected(from: "h")
        let (manifest, answer) = try self.manifest(&learner, &worker, id, number)
        XCTAssertEqual(manifest.sharedMemory, path)
        XCTAssertEqual(answer, [.readSharedWeights(path: path, version: 4)], "no chunk is asked for")
        let file = WeightValues(WeightStreamTests.weights.values.withUnsafeBufferPointer(Array.init))
        let outputs = worker.receiveSharedWeights(version: 4, values: file, now: 1)
        guard case let .deliver(.weights(weights))? = outputs.last else { return XCTFail("\(outputs)") }
        XCTAssertTrue(weights.values === file, "the file's values are used in place, not copied")
        XCTAssertEqual(weights.values, WeightStreamTests.weights.values)
        XCTAssertEqual(worker.sharedWeights.taken, 1)
        XCTAssertFalse(outputs.contains { if case .transmit = $0 { true } else { false } })
    }

    /// A generator of another host told to take sealed chunks from the weights socket asks there; when not one
    /// comes in the stall time (the port is out of reach), it takes the version over the learner's channel.
    func testASealedStreamThatBringsNothingFallsBackToTheChannel() throws {
        var (learner, worker, id, number) = try connected(from: "elsewhere")
        var (manifest, _) = try self.manifest(&learner, &worker, id, number)
        let ticket = ChunkSeal.newTicket()
        manifest.sealed = SealedStream(key: ChunkSeal.newKey(), port: 40_000, ticket: ticket)
        let answer = worker.receive(SessionTests.wire(.weightsManifest(manifest), worker: number, from: .learner), now: 2)
        XCTAssertEqual(answer, [.requestSealed(port: 40_000, WeightsRequest(version: 4, byteOffset: 0, credit: 4, ticket: ticket))])
        // the learner's heartbeats keep coming (its channel is fine); only the weights socket is silent
        for now in stride(from: 3.0, through: 12.0, by: 1) {
            _ = worker.receive(SessionTests.wire(.heartbeat, worker: number, from: .learner), now: now)
            XCTAssertFalse(worker.tick(now: now).contains { if case .transmit(.weightsRequest) = $0 { true } else { false } }, "not stalled at \(now)")
        }
        _ = worker.receive(SessionTests.wire(.heartbeat, worker: number, from: .learner), now: 12.5)
        let outputs = worker.tick(now: 12.5)
        XCTAssertTrue(outputs.contains(.transmit(.weightsRequest(WeightsRequest(version: 4, byteOffset: 0, credit: 4)))), "\(outputs)")
        XCTAssertEqual(worker.sealedUnreachable, 1)
        // the learner's chunks over the channel complete the version
        let source = WeightStreamSource(WeightStreamTests.weights)
        var last: [WorkerSession.Output] = []
        for offset in stride(from: 0, to: source.manifest.totalBytes, by: WeightStreamSource.chunkBytes) {
            let chunk = source.withChunk(at: offset) { WeightsChunk(version: 4, byteOffset: offset, bytes: Array($0)) }!
            last = worker.receive(SessionTests.wire(.weightsChunk(chunk), worker: number, from: .learner), now: 13)
        }
        XCTAssertEqual(last.last, .deliver(.weights(WeightStreamTests.weights)))
    }

    func testOtherHostsAreNotToldOfTheFile() throws {
        var (learner, worker, id, number) = try connected(from: "elsewhere")
        let (manifest, answer) = try self.manifest(&learner, &worker, id, number)
        XCTAssertNil(manifest.sharedMemory)
        guard case .transmit(.weightsRequest)? = answer.first else { return XCTFail("asks for chunks: \(answer)") }
    }

    func testCorruptShortOrUnreadableFilesFallBackToChunks() throws {
        for damage in ["corrupt", "short", "unreadable"] {
            var (learner, worker, id, number) = try connected(from: "h")
            _ = try self.manifest(&learner, &worker, id, number)
            var floats = WeightStreamTests.weights.values.withUnsafeBufferPointer(Array.init)
            let outputs: [WorkerSession.Output]
            switch damage {
            case "corrupt":
                floats[floats.count / 2] += 1
                outputs = worker.receiveSharedWeights(version: 4, values: WeightValues(floats), now: 1)
            case "short":
                outputs = worker.receiveSharedWeights(version: 4, values: WeightValues(Array(floats.dropLast())), now: 1)
            default:
                outputs = worker.sharedWeightsUnavailable(version: 4, reason: "cannot open it", now: 1)
            }
            XCTAssertFalse(outputs.contains { if case .deliver = $0 { true } else { false } }, damage)
            guard case let .transmit(.weightsRequest(request))? = outputs.last else { return XCTFail("\(damage): \(outputs)") }
            XCTAssertEqual(request.byteOffset, 0, damage)
            XCTAssertEqual(worker.sharedWeights.fellBack, 1, damage)
            // the chunks then complete the version, equal
            let stream = WeightStreamSource(WeightStreamTests.weights)
            var delivered: PolicyWeights?
            var offset = 0
            while let chunk = stream.withChunk(at: offset, { Array($0) }) {
                let message = WireMessage.weightsChunk(WeightsChunk(version: 4, byteOffset: offset, bytes: chunk))
                for reply in worker.receive(SessionTests.wire(message, from: .learner), now: 2) {
                    if case let .deliver(.weights(weights)) = reply { delivered = weights }
                }
                offset += WeightStreamSource.chunkBytes
            }
            XCTAssertEqual(delivered?.values.withUnsafeBufferPointer(Array.init),
                           WeightStreamTests.weights.values.withUnsafeBufferPointer(Array.init), damage)
            // bytes for a version no longer being assembled are ignored
            XCTAssertEqual(worker.receiveSharedWeights(version: 4, values: WeightValues(floats), now: 3), [], damage)
        }
    }

    func testTheManifestNamesNoFileOutsideSharedWeights() throws {
        let manifest = WeightStreamSource(WeightStreamTests.weights).manifest
        for path in ["/etc/passwd", "/dev/shm/other", "/dev/shm/rlhf-weights-../../etc/passwd", "/dev/shm/rlhf-weights-", "/dev/shm/rlhf-weights-.x",
                     "/dev/shm/rlhf-weights-a/b", "/tmp/dev/shm/rlhf-weights-1"] {
            var hostile = manifest
            hostile.sharedMemory = path
            XCTAssertThrowsError(try WireCodec.encode(.weightsManifest(hostile), header: WireHeader(worker: 1, sequence: 1)), path)
            XCTAssertFalse(SharedWeightsPath.isValid(path), path)
        }
        var fine = manifest
        fine.sharedMemory = path
        let frames = try WireCodec.encode(.weightsManifest(fine), header: WireHeader(worker: 1, sequence: 1))
        guard case let .weightsManifest(decoded) = try WireCodec.decode(frames: frames, from: .learner).message else { return XCTFail() }
        XCTAssertEqual(decoded, fine)
    }
}
