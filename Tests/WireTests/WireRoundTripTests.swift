@testable import Wire
import XCTest

/// Every kind goes Swift → frames → Swift unchanged, and the in-process messages map to and from it.
final class WireRoundTripTests: XCTestCase {
    func testEveryKindRoundTrips() throws {
        XCTAssertEqual(Set(WireExamples.all.map(\.kind)), Set(MessageKind.allCases), "the examples cover every kind")
        for (i, message) in WireExamples.all.enumerated() {
            let header = WireHeader(worker: UInt32(i), sequence: UInt64(i + 1))
            let frames = try WireCodec.encode(message, header: header)
            XCTAssertEqual(frames.count, message.kind.frameCount, "\(message.kind)")
            let envelope = try WireCodec.decode(frames: frames, from: WireExamples.sender(of: message))
            XCTAssertEqual(envelope, WireEnvelope(header: header, message: message), "\(message.kind)")
            // The same bytes read in place (as a ZeroMQ message's memory is).
            let inPlace = try frames[0].withUnsafeBytes { h in
                try frames[1].withUnsafeBytes { b in
                    try frames.last!.withUnsafeBytes { p in
                        try WireCodec.decode(frames: frames.count == 3 ? [h, b, p] : [h, b], from: WireExamples.sender(of: message))
                    }
                }
            }
            XCTAssertEqual(inPlace, envelope, "\(message.kind)")
        }
    }

    func testHeartbeatBodyIsEmptyAndHeartbeatsGoBothWays() throws {
        let frames = try WireExamples.frames(.heartbeat)
        XCTAssertEqual(frames[1], [])
        XCTAssertEqual(try WireCodec.decode(frames: frames, from: .learner).message, .heartbeat)
        XCTAssertEqual(try WireCodec.decode(frames: frames, from: .worker).message, .heartbeat)
    }

    func testEncodingIsDeterministic() throws {
        // Metrics are written sorted by name, so a dictionary's order never changes the bytes.
        let a = Metrics(iteration: 1, values: Dictionary(uniqueKeysWithValues: (0..<50).map { ("m\($0)", Double($0)) }))
        var b = Metrics(iteration: 1, values: [:])
        for i in (0..<50).reversed() { b.values["m\(i)"] = Double(i) }
        XCTAssertEqual(try WireExamples.frames(.metrics(a)), try WireExamples.frames(.metrics(b)))
    }

    func testNaNMetricsTravel() throws {
        let frames = try WireExamples.frames(.metrics(Metrics(iteration: 0, values: ["x": .nan, "y": -.infinity])))
        guard case let .metrics(metrics) = try WireCodec.decode(frames: frames, from: .learner).message else { return XCTFail() }
        XCTAssertTrue(metrics.values["x"]!.isNaN)
        XCTAssertEqual(metrics.values["y"], -.infinity)
    }

    func testLimitsOfTheFieldTypesRoundTrip() throws {
        let big = RolloutTask(id: TaskID(iteration: Int(Int64.max), index: 0), policyVersion: Int(Int64.max),
                              prompts: [[Int(Int32.max), 0]], seed: .max,
                              sampling: SamplingSettings(temperature: .greatestFiniteMagnitude, topK: Int(Int32.max), topP: 1, minP: 1,
                                                         maxNewTokens: Int(Int32.max), stopTokens: []))
        XCTAssertEqual(try WireCodec.decode(frames: try WireExamples.frames(.rolloutTask(big), worker: .max, sequence: .max), from: .learner),
                       WireEnvelope(header: WireHeader(worker: .max, sequence: .max), message: .rolloutTask(big)))
    }

    func testInProcessMessagesMapToTheWire() {
        let rollout = WireExamples.rollout
        let workerCases: [(WorkerMessage, WireMessage)] = [
            (.installed(version: 3), .weightsInstalled(version: 3)),
            (.refused(version: 3, reason: "crc"), .weightsRefused(version: 3, reason: "crc")),
            (.rollout(rollout), .rollout(rollout)),
            (.scores(ScoreResult(id: rollout.id, scores: [1])), .scoreResult(ScoreResult(id: rollout.id, scores: [1]))),
            (.reference(ReferenceResult(id: rollout.id, logProbs: [[-1]])), .referenceResult(ReferenceResult(id: rollout.id, logProbs: [[-1]]))),
            (.failed(task: rollout.id, reason: "x"), .taskFailed(task: rollout.id, reason: "x")),
        ]
        for (inProcess, wire) in workerCases {
            XCTAssertEqual(WireMessage(inProcess), wire)
            XCTAssertEqual(wire.workerMessage, inProcess)
            XCTAssertNil(wire.learnerMessage)
        }
        XCTAssertNil(WireMessage(WorkerMessage.hello(.reward)), "hello travels as a whole Register")
        guard case let .register(registration) = WireExamples.all[0] else { return XCTFail() }
        XCTAssertEqual(WireMessage.register(registration).workerMessage, .hello(.reward))

        let task = WireExamples.rolloutTask, request = WireExamples.request
        let learnerCases: [(LearnerMessage, WireMessage)] = [
            (.rollout(task), .rolloutTask(task)), (.score(request), .scoreRequest(request)),
            (.reference(request), .referenceRequest(request)), (.stop, .control(.stop)), (.drain, .control(.drain)),
        ]
        for (inProcess, wire) in learnerCases {
            XCTAssertEqual(WireMessage(inProcess), wire)
            XCTAssertEqual(wire.learnerMessage, inProcess)
            XCTAssertNil(wire.workerMessage)
        }
        let weights = PolicyWeights(version: 1, replaces: nil, tensors: [], values: WeightValues([]))
        XCTAssertNil(WireMessage(LearnerMessage.weights(weights)), "weights travel as a manifest and chunks")
        // a worker's `draining` is READY with credit 0, which the learner's session reads (SessionTests)
        XCTAssertEqual(WireMessage(WorkerMessage.draining), .ready(Ready(credit: 0)))
        for message: WireMessage in [.heartbeat, .ready(Ready(credit: 1)), .control(.checkpoint), .metrics(Metrics(iteration: 0, values: [:]))] {
            XCTAssertNil(message.workerMessage)
            XCTAssertNil(message.learnerMessage)
        }
    }

    func testBodiesAreTheProtobufOfTheProtoFiles() throws {
        // A hand-written READY and TASK_FAILED decode: the C code reads the wire format header.proto and
        // work.proto describe, not just its own output.
        var ready = ProtoWriter()
        ready.int(1, 5)
        XCTAssertEqual(try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.ready, worker: 9, sequence: 4), ready.bytes], from: .worker),
                       WireEnvelope(header: WireHeader(worker: 9, sequence: 4), message: .ready(Ready(credit: 5))))
        var failed = ProtoWriter()
        failed.message(1) { $0.int(1, 2); $0.int(2, 1) }
        failed.string(2, "no memory")
        XCTAssertEqual(try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.taskFailed), failed.bytes], from: .worker).message,
                       .taskFailed(task: TaskID(iteration: 2, index: 1), reason: "no memory"))
        // Unknown fields (a newer sender's) are skipped.
        ready.string(99, "from the future")
        XCTAssertEqual(try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.ready), ready.bytes], from: .worker).message,
                       .ready(Ready(credit: 5)))
        // The encoder writes what the hand-made writer writes, field for field.
        XCTAssertEqual(try WireExamples.frames(.ready(Ready(credit: 5)), worker: 3, sequence: 1),
                       [ProtoWriter.header(kind: KindNumber.ready), [0x08, 0x05]])
    }
}
