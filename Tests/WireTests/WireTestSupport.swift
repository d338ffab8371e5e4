@testable import Wire
import XCTest

/// One valid message of every kind, with rows of different lengths (an empty one included).
enum WireExamples {
    static let task = TaskID(iteration: 3, index: 7, incarnation: 0xDEAD_BEEF_0123_4567)
    static let sampling = SamplingSettings(temperature: 0.7, topK: 50, topP: 0.95, minP: 0.05, maxNewTokens: 24, stopTokens: [2, 49_151])
    static let rolloutTask = RolloutTask(id: task, policyVersion: 5, prompts: [[1, 2, 3], [], [70_000, 0, 5, 6]],
                                         seed: 0xDEAD_BEEF_0123_4567, sampling: sampling)
    static let rollout = Rollout(id: task, policyVersion: 5, responses: [[9, 8], [7], [1, 2, 3]],
                                 logProbs: [[-0.5, -1.25], [-0.125], [-3, -0.0, -2.5]], stopped: [true, false, true], seconds: 1.5)
    static let request = SequenceRequest(id: task, queries: [[1, 2], [3]], responses: [[4], []], temperature: 0.7)
    static let manifest = WeightsManifest(version: 4, replaces: 3, tensors: [
        ManifestTensor(name: "embed.weight", shape: [10, 4], dtype: .f32, byteOffset: 0, crc32c: 0xE306_9283),
        ManifestTensor(name: "layers.0.norm", shape: [4], dtype: .bf16, byteOffset: 160, crc32c: 1),
        ManifestTensor(name: "head", shape: [], dtype: .f16, byteOffset: 176, crc32c: 0xFFFF_FFFF),
    ], totalBytes: 178)

    /// Every kind once (two of some: both cases of an optional, an empty body).
    static let all: [WireMessage] = [
        .register(Register(role: .reward, host: "node-7.cluster", pid: 4242, device: "cpu",
                           capabilities: WorkerCapabilities(maxRowsPerTask: 64, backends: ["cpu", "cuda"]))),
        .welcome(Welcome(worker: 12, heartbeatMilliseconds: 1000, runSeed: .max, policyVersion: 0, configDigest: Array(0..<32))),
        .welcome(Welcome(worker: 1, heartbeatMilliseconds: 1, runSeed: 0, policyVersion: 9, configDigest: [],
                         runConfig: "learning_rate: 1.0e-4\nseed: 3\n", configOverrides: ["iterations=3", "roles.rollout=2"])),
        .heartbeat,
        .ready(Ready(credit: 2)),
        .ready(Ready(credit: 0)),
        .rolloutTask(rolloutTask),
        .rollout(rollout),
        .scoreRequest(request),
        .scoreResult(ScoreResult(id: task, scores: [0.25, -1.5], seconds: 0.01)),
        .referenceRequest(request),
        .referenceResult(ReferenceResult(id: task, logProbs: [[-1, -2], [], [-0.5]], seconds: 2)),
        .weightsManifest(manifest),
        .weightsManifest(WeightsManifest(version: 0, replaces: nil, tensors: [], totalBytes: 0)),
        .weightsChunk(WeightsChunk(version: 4, byteOffset: 1 << 20, bytes: Array(repeating: 0xAB, count: 1000))),
        .weightsRequest(WeightsRequest(version: 4, byteOffset: 3 << 20, credit: 8)),
        .weightsInstalled(version: 4),
        .weightsRefused(version: 4, reason: "tensor \"head\" fails its CRC-32C"),
        .taskFailed(task: task, reason: "out of memory — ünïcode too"),
        .control(.drain),
        .control(.stop),
        .control(.checkpoint),
        .metrics(Metrics(iteration: 12, values: ["objective/kl": 0.5, "ppo/loss/total": -1e-9, "time/generate": 3, "env/reward_mean": .infinity])),
        .operatorRequest(OperatorRequest(id: .max, action: .status)),
        .operatorRequest(OperatorRequest(id: 1, action: .checkpoint)),
        .operatorRequest(OperatorRequest(id: 2, action: .stop)),
        .operatorRequest(OperatorRequest(id: 3, action: .drain(worker: "reference-12"))),
        .operatorRequest(OperatorRequest(id: 4, action: .scale(role: .rollout, count: 3, relative: false))),
        .operatorRequest(OperatorRequest(id: 5, action: .scale(role: .reference, count: -2, relative: true))),
        .operatorRequest(OperatorRequest(id: 6, action: .admit(worker: "rollout-7", publicKey: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"))),
        .monitorUpdate(MonitorUpdate(sequence: 9, json: "{\"iteration\": 3, \"workers\": {\"rollout\": 2}}")),
        .operatorAnswer(OperatorAnswer(id: 3, done: true, message: "draining reference-12 (reference#4) — ünïcode too")),
        .operatorAnswer(OperatorAnswer(id: 0, done: false, message: "", status: "{\"iteration\": 7, \"workers\": {}}")),
    ]

    /// Who sends a kind (a worker for `HEARTBEAT`).
    static func sender(of message: WireMessage) -> WirePeer { message.kind.isSent(by: .worker) ? .worker : .learner }

    /// The frames of `message` with a fixed header.
    static func frames(_ message: WireMessage, worker: UInt32 = 12, sequence: UInt64 = 1) throws(WireError) -> [[UInt8]] {
        try WireCodec.encode(message, header: WireHeader(worker: worker, sequence: sequence))
    }
}

/// A protobuf writer for hand-made (and broken) messages.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func tag(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }
    /// An int32/int64/uint/enum/bool field (negative values as protobuf writes them: 10 bytes).
    mutating func int(_ field: Int, _ value: Int64) { tag(field, 0); varint(UInt64(bitPattern: value)) }
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func double(_ field: Int, _ value: Double) {
        tag(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func fixed32(_ field: Int, _ value: UInt32) {
        tag(field, 5)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func data(_ field: Int, _ value: [UInt8]) { tag(field, 2); varint(UInt64(value.count)); bytes += value }
    mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        data(field, inner.bytes)
    }
    /// A packed repeated int32/int64 field.
    mutating func packed(_ field: Int, _ values: [Int64]) {
        var inner = ProtoWriter()
        for value in values { inner.varint(UInt64(bitPattern: value)) }
        data(field, inner.bytes)
    }
    /// A packed repeated float field.
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var inner = ProtoWriter()
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { inner.bytes.append(contentsOf: $0) } }
        data(field, inner.bytes)
    }

    /// A header frame.
    static func header(version: Int64 = 1, kind: Int64, worker: Int64 = 3, sequence: Int64 = 1) -> [UInt8] {
        var w = ProtoWriter()
        w.int(1, version); w.int(2, kind); w.int(3, worker); w.int(4, sequence)
        return w.bytes
    }
}

/// The header kinds of PROTOCOL.md section 3, as `header.proto` numbers them.
enum KindNumber {
    static let register: Int64 = 1, welcome: Int64 = 2, heartbeat: Int64 = 3, ready: Int64 = 4, rolloutTask: Int64 = 5
    static let rollout: Int64 = 6, scoreRequest: Int64 = 7, scoreResult: Int64 = 8, referenceRequest: Int64 = 9
    static let referenceResult: Int64 = 10, weightsManifest: Int64 = 11, weightsChunk: Int64 = 12, weightsRequest: Int64 = 13
    static let weightsInstalled: Int64 = 14, weightsRefused: Int64 = 15, taskFailed: Int64 = 16, control: Int64 = 17, metrics: Int64 = 18
    static let operatorRequest: Int64 = 19, operatorAnswer: Int64 = 20, monitorUpdate: Int64 = 21
}

/// SplitMix64, for seeded fuzzing.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension XCTestCase {
    /// Asserts that `body` throws exactly `expected`, and that its description is one line.
    func assertWireError<T>(_ expected: WireError, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
        do {
            let value = try body()
            XCTFail("expected \(expected), got \(value)", file: file, line: line)
        } catch let error as WireError {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "a one-line description", file: file, line: line)
        } catch {
            XCTFail("expected \(expected), got \(error), not a WireError", file: file, line: line)
        }
    }
}
