import RLHFProtoC
@testable import Wire
import XCTest

/// Each way a message can be wrong is its own typed error, with a one-line description.
final class WireMalformedTests: XCTestCase {
    /// Decodes a hand-made body of `kind` sent by `sender`.
    func decode(_ kind: Int64, _ body: [UInt8], from sender: WirePeer = .worker) throws(WireError) -> WireMessage {
        try WireCodec.decode(frames: [ProtoWriter.header(kind: kind), body], from: sender).message
    }

    /// A task id field.
    func id(_ w: inout ProtoWriter, field: Int = 1, iteration: Int64 = 0, index: Int64 = 0) {
        w.message(field) { $0.int(1, iteration); $0.int(2, index) }
    }

    /// A rollout task body with the given prompt fields (and everything else valid).
    func rolloutTask(tokens: [Int64], lengths: [Int64], temperature: Float = 1, withID: Bool = true, withSampling: Bool = true) -> [UInt8] {
        var w = ProtoWriter()
        if withID { id(&w) }
        w.int(2, 0)
        w.packed(3, tokens)
        w.packed(4, lengths)
        w.int(5, 42)
        if withSampling {
            w.message(6) { $0.float(1, temperature); $0.float(3, 1); $0.int(5, 8) }
        }
        return w.bytes
    }

    func testFrameCounts() throws {
        assertWireError(.frameCount(got: 0, expected: 2, kind: nil)) { try WireCodec.decode(frames: [[UInt8]](), from: .worker) }
        assertWireError(.frameCount(got: 1, expected: 2, kind: .rollout)) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.rollout)], from: .worker)
        }
        var frames = try WireExamples.frames(.ready(Ready(credit: 1)))
        frames.append([1, 2, 3])
        assertWireError(.frameCount(got: 3, expected: 2, kind: .ready)) { try WireCodec.decode(frames: frames, from: .worker) }
        let chunk = try WireExamples.frames(.weightsChunk(WeightsChunk(version: 1, byteOffset: 0, bytes: [1])))
        assertWireError(.frameCount(got: 2, expected: 3, kind: .weightsChunk)) { try WireCodec.decode(frames: Array(chunk.prefix(2)), from: .learner) }
        assertWireError(.frameCount(got: 1000, expected: 3, kind: .weightsChunk)) {
            try WireCodec.decode(frames: chunk + Array(repeating: [], count: 997), from: .learner)
        }
    }

    func testFrameSizeLimits() throws {
        assertWireError(.frameTooLarge(frame: 0, bytes: 65_537, limit: 65_536)) {
            try WireCodec.decode(frames: [[UInt8](repeating: 0, count: 65_537), []], from: .worker)
        }
        let body = [UInt8](repeating: 0, count: (64 << 20) + 1)
        assertWireError(.frameTooLarge(frame: 1, bytes: body.count, limit: 64 << 20)) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.rollout), body], from: .worker)
        }
        let chunk = try WireExamples.frames(.weightsChunk(WeightsChunk(version: 1, byteOffset: 0, bytes: [1])))
        let payload = [UInt8](repeating: 7, count: (4 << 20) + 1)
        assertWireError(.frameTooLarge(frame: 2, bytes: payload.count, limit: 4 << 20)) {
            try WireCodec.decode(frames: [chunk[0], chunk[1], payload], from: .learner)
        }
        assertWireError(.frameTooLarge(frame: 2, bytes: payload.count, limit: 4 << 20)) {
            try WireExamples.frames(.weightsChunk(WeightsChunk(version: 1, byteOffset: 0, bytes: payload)))
        }
        // Exactly at the limit is fine.
        let full = WeightsChunk(version: 1, byteOffset: 0, bytes: [UInt8](repeating: 7, count: 4 << 20))
        XCTAssertEqual(try WireCodec.decode(frames: try WireExamples.frames(.weightsChunk(full)), from: .learner).message, .weightsChunk(full))
    }

    func testHeaders() {
        assertWireError(.unparseable("header")) { try WireCodec.decode(frames: [[0xFF, 0xFF], []], from: .worker) }
        assertWireError(.protocolVersion(2)) {
            try WireCodec.decode(frames: [ProtoWriter.header(version: 2, kind: KindNumber.ready), []], from: .worker)
        }
        assertWireError(.protocolVersion(0)) { try WireCodec.decode(frames: [[], []], from: .worker) }
        assertWireError(.unknownKind(99)) { try WireCodec.decode(frames: [ProtoWriter.header(kind: 99), []], from: .worker) }
        assertWireError(.unknownKind(0)) { try WireCodec.decode(frames: [ProtoWriter.header(kind: 0), []], from: .worker) }
        assertWireError(.unknownKind(-3)) { try WireCodec.decode(frames: [ProtoWriter.header(kind: -3), []], from: .worker) }
        assertWireError(.outOfRange(field: "Header.sequence", value: "0", expected: ">= 1")) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.ready, sequence: 0), []], from: .worker)
        }
        assertWireError(.unrepresentable(field: "Header.sequence", value: "0 (sequences start at 1)")) {
            try WireCodec.encode(.heartbeat, header: WireHeader(worker: 1, sequence: 0))
        }
    }

    func testSenders() {
        assertWireError(.wrongSender(.rolloutTask, .worker)) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.rolloutTask), []], from: .worker)
        }
        assertWireError(.wrongSender(.rollout, .learner)) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.rollout), []], from: .learner)
        }
        assertWireError(.wrongSender(.register, .learner)) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.register), []], from: .learner)
        }
        assertWireError(.wrongSender(.metrics, .worker)) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.metrics), []], from: .worker)
        }
    }

    func testBodiesThatDoNotParse() {
        assertWireError(.unparseable("ROLLOUT body")) { try decode(KindNumber.rollout, [0x0A, 0x05, 0x01]) }  // truncated field
        assertWireError(.unparseable("READY body")) { try decode(KindNumber.ready, [0x08]) }
        assertWireError(.unparseable("READY body")) { try decode(KindNumber.ready, [0x0F]) }  // wire type 7
        assertWireError(.unparseable("READY body")) { try decode(KindNumber.ready, [0x08] + [UInt8](repeating: 0xFF, count: 11)) }
        // The right field number with the wrong wire type.
        assertWireError(.unparseable("ROLLOUT_TASK body")) { try decode(KindNumber.rolloutTask, [0x0D, 0, 0, 0, 0], from: .learner) }
    }

    func testMissingFields() {
        assertWireError(.missingField("RolloutTask.id")) { try decode(KindNumber.rolloutTask, rolloutTask(tokens: [], lengths: [], withID: false), from: .learner) }
        assertWireError(.missingField("RolloutTask.sampling")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [], lengths: [], withSampling: false), from: .learner)
        }
        assertWireError(.missingField("Rollout.id")) { try decode(KindNumber.rollout, []) }
        assertWireError(.missingField("ScoreResult.id")) { try decode(KindNumber.scoreResult, []) }
        assertWireError(.missingField("ReferenceResult.id")) { try decode(KindNumber.referenceResult, []) }
        assertWireError(.missingField("SequenceRequest.id")) { try decode(KindNumber.scoreRequest, [], from: .learner) }
        assertWireError(.missingField("TaskFailed.id")) { try decode(KindNumber.taskFailed, []) }
        var register = ProtoWriter()
        register.int(1, 1); register.int(2, 1); register.string(3, "h"); register.int(4, 5); register.string(5, "cpu")
        assertWireError(.missingField("Register.capabilities")) { try decode(KindNumber.register, register.bytes) }
        var noHost = ProtoWriter()
        noHost.int(1, 1); noHost.int(2, 1); noHost.int(4, 5); noHost.string(5, "cpu"); noHost.message(6) { $0.int(1, 4) }
        assertWireError(.missingField("Register.host")) { try decode(KindNumber.register, noHost.bytes) }
    }

    func testCountsAndRanges() {
        var ready = ProtoWriter()
        ready.int(1, -1)
        assertWireError(.outOfRange(field: "Ready.credit", value: "-1", expected: ">= 0")) { try decode(KindNumber.ready, ready.bytes) }
        var request = ProtoWriter()
        request.int(1, 0); request.int(3, 0)
        assertWireError(.outOfRange(field: "WeightsRequest.credit", value: "0", expected: ">= 1")) { try decode(KindNumber.weightsRequest, request.bytes) }
        var installed = ProtoWriter()
        installed.int(1, -4)
        assertWireError(.outOfRange(field: "WeightsInstalled.version", value: "-4", expected: ">= 0")) { try decode(KindNumber.weightsInstalled, installed.bytes) }
        var failed = ProtoWriter()
        id(&failed, iteration: -(1 << 41))
        assertWireError(.outOfRange(field: "TaskFailed.id.iteration", value: "\(-(1 << 41))", expected: ">= \(-(1 << 40))")) {
            try decode(KindNumber.taskFailed, failed.bytes)
        }
        for (temperature, expected) in [(Float(0), "0.0"), (-1, "-1.0"), (.nan, "nan"), (.infinity, "inf")] {
            assertWireError(.outOfRange(field: "SamplingSettings.temperature", value: expected, expected: "finite and > 0")) {
                try decode(KindNumber.rolloutTask, rolloutTask(tokens: [], lengths: [], temperature: temperature), from: .learner)
            }
        }
        var result = ProtoWriter()
        id(&result); result.packedFloats(2, [1, .nan])
        assertWireError(.outOfRange(field: "ScoreResult.scores[1]", value: "nan", expected: "finite")) { try decode(KindNumber.scoreResult, result.bytes) }
        var slow = ProtoWriter()
        id(&slow); slow.double(3, -1)
        assertWireError(.outOfRange(field: "ScoreResult.compute_seconds", value: "-1.0", expected: "finite and >= 0")) { try decode(KindNumber.scoreResult, slow.bytes) }
        var welcome = ProtoWriter()
        welcome.int(1, 0); welcome.int(2, 1000)
        assertWireError(.outOfRange(field: "Welcome.worker_id", value: "0", expected: ">= 1")) { try decode(KindNumber.welcome, welcome.bytes, from: .learner) }
        var digest = ProtoWriter()
        digest.int(1, 1); digest.int(2, 1000); digest.data(5, [UInt8](repeating: 1, count: 65))
        assertWireError(.outOfRange(field: "Welcome.config_digest", value: "65 bytes", expected: "at most 64 bytes")) {
            try decode(KindNumber.welcome, digest.bytes, from: .learner)
        }
        assertWireError(.unrepresentable(field: "Welcome.config_digest", value: "65 bytes (at most 64)")) {
            try WireExamples.frames(.welcome(Welcome(worker: 1, heartbeatMilliseconds: 1, runSeed: 0, policyVersion: 0,
                                                     configDigest: [UInt8](repeating: 0, count: 65))))
        }
    }

    func testRowsThatDoNotAddUp() {
        assertWireError(.inconsistent("RolloutTask.prompt_lengths sum to 3; RolloutTask.prompt_tokens holds 4 values")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [1, 2, 3, 4], lengths: [1, 2]), from: .learner)
        }
        assertWireError(.inconsistent("RolloutTask.prompt_lengths sum to 5; RolloutTask.prompt_tokens holds 4 values")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [1, 2, 3, 4], lengths: [1, 4]), from: .learner)
        }
        assertWireError(.inconsistent("RolloutTask.prompt_lengths is empty; RolloutTask.prompt_tokens holds 2 values")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [1, 2], lengths: []), from: .learner)
        }
        assertWireError(.outOfRange(field: "RolloutTask.prompt_lengths[1]", value: "-2", expected: ">= 0")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [1, 2, 3, 4], lengths: [6, -2]), from: .learner)
        }
        // A length past Int32 on the wire reads as a negative int32, as protobuf's int32 does.
        assertWireError(.outOfRange(field: "RolloutTask.prompt_lengths[0]", value: "-2147483648", expected: ">= 0")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [1], lengths: [1 << 31]), from: .learner)
        }
        assertWireError(.outOfRange(field: "RolloutTask.prompt_tokens[2]", value: "-7", expected: ">= 0")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [1, 2, -7], lengths: [3]), from: .learner)
        }
        assertWireError(.outOfRange(field: "RolloutTask.prompt_lengths", value: "65537 rows", expected: "at most 65536 rows")) {
            try decode(KindNumber.rolloutTask, rolloutTask(tokens: [], lengths: Array(repeating: 0, count: 65_537)), from: .learner)
        }
        var rollout = ProtoWriter()
        id(&rollout); rollout.packed(3, [5, 6, 7]); rollout.packed(4, [2, 1]); rollout.packedFloats(5, [-1, -1]); rollout.packed(6, [1, 0])
        assertWireError(.inconsistent("Rollout.log_probs holds 2 values for 3 response tokens")) { try decode(KindNumber.rollout, rollout.bytes) }
        var flags = ProtoWriter()
        id(&flags); flags.packed(3, [5, 6, 7]); flags.packed(4, [2, 1]); flags.packedFloats(5, [-1, -1, -1]); flags.packed(6, [1])
        assertWireError(.inconsistent("Rollout.stopped holds 1 flags for 2 rows")) { try decode(KindNumber.rollout, flags.bytes) }
        var request = ProtoWriter()
        id(&request); request.packed(2, [1, 2]); request.packed(3, [1, 1]); request.packed(4, [3]); request.packed(5, [1]); request.float(6, 1)
        assertWireError(.inconsistent("SequenceRequest has 2 query rows and 1 response rows")) { try decode(KindNumber.scoreRequest, request.bytes, from: .learner) }
        var reference = ProtoWriter()
        id(&reference); reference.packedFloats(2, [-1, -2]); reference.packed(3, [3])
        assertWireError(.inconsistent("ReferenceResult.lengths sum to 3; ReferenceResult.log_probs holds 2 values")) {
            try decode(KindNumber.referenceResult, reference.bytes)
        }
    }

    func testUnknownEnumValuesAndText() {
        var register = ProtoWriter()
        register.int(1, 9); register.int(2, 1)
        assertWireError(.outOfRange(field: "Register.role", value: "9", expected: "rollout, reward or reference")) { try decode(KindNumber.register, register.bytes) }
        var version = ProtoWriter()
        version.int(1, 1); version.int(2, 7)
        assertWireError(.protocolVersion(7)) { try decode(KindNumber.register, version.bytes) }
        var control = ProtoWriter()
        control.int(1, 4)
        assertWireError(.outOfRange(field: "Control.command", value: "4", expected: "drain, stop or checkpoint")) { try decode(KindNumber.control, control.bytes, from: .learner) }
        assertWireError(.outOfRange(field: "Control.command", value: "0", expected: "drain, stop or checkpoint")) { try decode(KindNumber.control, [], from: .learner) }
        var badText = ProtoWriter()
        badText.int(1, 1); badText.int(2, 1); badText.data(3, [0x68, 0xC3, 0x28]); badText.int(4, 5); badText.string(5, "cpu")
        badText.message(6) { $0.int(1, 4) }
        assertWireError(.invalidText("Register.host")) { try decode(KindNumber.register, badText.bytes) }
    }

    /// Operator requests and answers: an unknown or reserved action (`SCALE`, `ADMIT`), a drain without a
    /// worker name or with one that is not `ROLE-INDEX`, an answer of more than one line.
    func testOperatorRequestsAndAnswers() {
        for action: Int64 in [0, 7, 9] {
            var request = ProtoWriter()
            request.int(1, 7); request.int(2, action)
            assertWireError(.outOfRange(field: "OperatorRequest.action", value: "\(action)", expected: "status, checkpoint, stop, drain, scale or admit")) {
                try decode(KindNumber.operatorRequest, request.bytes)
            }
        }
        // SCALE: a known role, a target of 0 to 4,096 or a change of at most 4,096
        for (role, count, relative): (Int64, Int64, Bool) in [(0, 1, false), (4, 1, false), (1, -1, false), (1, 4097, false), (1, -4097, true),
                                                               (1, Int64(Int32.min), true)] {
            var request = ProtoWriter()
            request.int(1, 7); request.int(2, 5); request.int(4, role); request.int(5, count); request.int(6, relative ? 1 : 0)
            XCTAssertThrowsError(try decode(KindNumber.operatorRequest, request.bytes), "\(role) \(count) \(relative)")
        }
        // ADMIT: a worker name and 40 Z85 characters
        for (name, key) in [("rollout-1", ""), ("rollout-1", String(repeating: "a", count: 39)), ("rollout-1", String(repeating: "a", count: 41)),
                            ("rollout-1", String(repeating: "a", count: 39) + "\""), ("rollout-1", String(repeating: "a", count: 39) + "\u{0}"),
                            ("operator", String(repeating: "a", count: 40)), ("", String(repeating: "a", count: 40))] {
            var request = ProtoWriter()
            request.int(1, 7); request.int(2, 6); request.string(3, name); request.string(7, key)
            XCTAssertThrowsError(try decode(KindNumber.operatorRequest, request.bytes), "\(name) \(key)")
        }
        var huge = ProtoWriter()
        huge.int(1, 1); huge.string(2, String(repeating: " ", count: OperatorAnswer.statusLimit + 1))
        XCTAssertThrowsError(try decode(KindNumber.monitorUpdate, huge.bytes, from: .learner), "a snapshot over 1 MiB")
        XCTAssertThrowsError(try decode(KindNumber.monitorUpdate, []), "workers send no MONITOR_UPDATE")
        var nameless = ProtoWriter()
        nameless.int(1, 7); nameless.int(2, 4)
        assertWireError(.missingField("OperatorRequest.worker")) { try decode(KindNumber.operatorRequest, nameless.bytes) }
        for name in ["reward", "reward-", "reward-01", "reward--1", "learner-0", "reward-0-1", "reward-\u{0}", "rollout-99999999999999999999"] {
            var request = ProtoWriter()
            request.int(1, 7); request.int(2, 4); request.string(3, name)
            XCTAssertThrowsError(try decode(KindNumber.operatorRequest, request.bytes), name)
        }
        var lines = ProtoWriter()
        lines.int(1, 7); lines.int(2, 1); lines.string(3, "one\ntwo")
        assertWireError(.outOfRange(field: "OperatorAnswer.message", value: "7 bytes", expected: "one line of at most 4096 bytes")) {
            try decode(KindNumber.operatorAnswer, lines.bytes, from: .learner)
        }
        // a worker's kind from the learner, and the learner's from a worker, are refused as senders
        XCTAssertThrowsError(try decode(KindNumber.operatorRequest, [], from: .learner))
        XCTAssertThrowsError(try decode(KindNumber.operatorAnswer, []))
    }

    func testManifests() {
        func manifest(_ build: (inout ProtoWriter) -> Void) -> [UInt8] { var w = ProtoWriter(); build(&w); return w.bytes }
        func tensor(_ w: inout ProtoWriter, name: String = "w", shape: [Int64] = [2, 2], dtype: Int64 = 1, offset: Int64 = 0) {
            w.message(3) { $0.string(1, name); $0.packed(2, shape); $0.int(3, dtype); $0.int(4, offset); $0.fixed32(5, 7) }
        }
        let from = WirePeer.learner
        assertWireError(.inconsistent("tensor \"b\" starts at byte 8, inside the one before it (which ends at 16)")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0, name: "a"); tensor(&$0, name: "b", offset: 8); $0.int(4, 64) }, from: from)
        }
        assertWireError(.inconsistent("tensor \"w\" ([2, 2] f32 at byte 0) ends past total_bytes, 15")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0); $0.int(4, 15) }, from: from)
        }
        assertWireError(.inconsistent("WeightsManifest names tensor \"a\" twice")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0, name: "a"); tensor(&$0, name: "a", offset: 16); $0.int(4, 64) }, from: from)
        }
        assertWireError(.outOfRange(field: "WeightsManifest.tensors[0].dtype", value: "9", expected: "f32, f16 or bf16")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0, dtype: 9); $0.int(4, 64) }, from: from)
        }
        assertWireError(.outOfRange(field: "WeightsManifest.tensors[0].shape[1]", value: "0", expected: ">= 1")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0, shape: [2, 0]); $0.int(4, 64) }, from: from)
        }
        assertWireError(.missingField("WeightsManifest.tensors[0].name")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0, name: ""); $0.int(4, 64) }, from: from)
        }
        assertWireError(.outOfRange(field: "WeightsManifest.replaces", value: "3", expected: "below the version, 3")) {
            try decode(KindNumber.weightsManifest, manifest { $0.int(1, 3); $0.int(2, 3) }, from: from)
        }
        // A shape whose byte count overflows is refused, not wrapped.
        assertWireError(.inconsistent("tensor \"w\" ([4294967296, 4294967296] f32 at byte 0) ends past total_bytes, 64")) {
            try decode(KindNumber.weightsManifest, manifest { tensor(&$0, shape: [1 << 32, 1 << 32]); $0.int(4, 64) }, from: from)
        }
        assertWireError(.outOfRange(field: "WeightsManifest.total_bytes", value: "\(UInt64.max)", expected: "at most \(Int.max)")) {
            try decode(KindNumber.weightsManifest, manifest { $0.int(4, -1) }, from: from)
        }
        // Present-but-zero `replaces` is not absent.
        guard case let .weightsManifest(zero)? = try? decode(KindNumber.weightsManifest, manifest { $0.int(1, 1); $0.int(2, 0) }, from: from) else {
            return XCTFail("a manifest replacing version 0")
        }
        XCTAssertEqual(zero.replaces, 0)
    }

    func testChunksAndMetrics() throws {
        var chunk = ProtoWriter()
        chunk.int(1, 1)
        assertWireError(.outOfRange(field: "WeightsChunk payload", value: "0 bytes", expected: "at least 1 byte")) {
            try WireCodec.decode(frames: [ProtoWriter.header(kind: KindNumber.weightsChunk), chunk.bytes, []], from: .learner)
        }
        assertWireError(.unrepresentable(field: "WeightsChunk payload", value: "0 bytes")) {
            try WireExamples.frames(.weightsChunk(WeightsChunk(version: 1, byteOffset: 0, bytes: [])))
        }
        var metrics = ProtoWriter()
        metrics.message(2) { $0.string(1, "kl"); $0.double(2, 1) }
        metrics.message(2) { $0.string(1, "kl"); $0.double(2, 2) }
        assertWireError(.inconsistent("Metrics names \"kl\" twice")) { try decode(KindNumber.metrics, metrics.bytes, from: .learner) }
        var unnamed = ProtoWriter()
        unnamed.message(2) { $0.double(2, 1) }
        assertWireError(.missingField("Metrics.values[0].name")) { try decode(KindNumber.metrics, unnamed.bytes, from: .learner) }
    }

    func testValuesTheWireCannotCarry() {
        var task = WireExamples.rolloutTask
        task.prompts = [[1, Int(Int32.max) + 1]]
        assertWireError(.unrepresentable(field: "RolloutTask.prompt_tokens", value: "id 2147483648")) { try WireExamples.frames(.rolloutTask(task)) }
        task = WireExamples.rolloutTask
        task.prompts = Array(repeating: [1], count: 65_537)
        assertWireError(.unrepresentable(field: "RolloutTask.prompt_tokens", value: "65537 rows (at most 65536)")) { try WireExamples.frames(.rolloutTask(task)) }
        var rollout = WireExamples.rollout
        rollout.logProbs[1] = []
        assertWireError(.unrepresentable(field: "Rollout.log_probs", value: "rows that do not match the responses' lengths")) {
            try WireExamples.frames(.rollout(rollout))
        }
        assertWireError(.unrepresentable(field: "TaskFailed.reason", value: "a string with a NUL byte")) {
            try WireExamples.frames(.taskFailed(task: WireExamples.task, reason: "a\u{0}b"))
        }
        assertWireError(.unrepresentable(field: "WeightsRequest.byte_offset", value: "-1")) {
            try WireExamples.frames(.weightsRequest(WeightsRequest(version: 1, byteOffset: -1, credit: 1)))
        }
        assertWireError(.unrepresentable(field: "Ready.credit", value: "\(Int(Int32.max) + 1)")) {
            try WireExamples.frames(.ready(Ready(credit: Int(Int32.max) + 1)))
        }
    }

    func testHostileExpansionStaysWithinTheBudget() throws {
        // A megabyte of empty tensor entries: 2 bytes each on the wire, ~100 bytes each unpacked. protobuf-c
        // gives up at the budget (16 bytes a byte) instead of allocating ~50 MB.
        let hostile: [UInt8] = (0..<(1 << 20)).map { $0 % 2 == 0 ? 0x1A : 0x00 }
        assertWireError(.unparseable("WEIGHTS_MANIFEST body")) { try decode(KindNumber.weightsManifest, hostile, from: .learner) }
        var books = UnpackBooks(left: 0)
        _ = try? hostile.withUnsafeBytes { bytes throws(WireError) in try WireCodec.decodeBody(.weightsManifest, bytes, books: &books) }
        XCTAssertLessThanOrEqual(books.peak, unpackBudget(bytes: hostile.count))
        XCTAssertEqual(books.inUse, 0, "everything protobuf-c allocated was freed")

        // A legitimate manifest of many tensors with short names fits easily, and so does a big rollout.
        let tensors = (0..<20_000).map { ManifestTensor(name: "t\($0)", shape: [1], dtype: .f32, byteOffset: 4 * $0, crc32c: UInt32($0)) }
        let manifest = WireMessage.weightsManifest(WeightsManifest(version: 1, replaces: 0, tensors: tensors, totalBytes: 80_000))
        let rollout = WireMessage.rollout(Rollout(id: WireExamples.task, policyVersion: 1, responses: Array(repeating: Array(0..<100), count: 1000),
                                                  logProbs: Array(repeating: Array(repeating: -1, count: 100), count: 1000),
                                                  stopped: Array(repeating: true, count: 1000)))
        for message in [manifest, rollout] {
            let body = try WireCodec.encodeBody(message)
            var books = UnpackBooks(left: 0)
            let decoded = try body.withUnsafeBytes { bytes throws(WireError) in try WireCodec.decodeBody(message.kind, bytes, books: &books) }
            XCTAssertEqual(decoded, message)
            XCTAssertEqual(books.inUse, 0)
            XCTAssertLessThan(books.peak, 8 * body.count + (64 << 10), "\(message.kind): \(books.peak) bytes for a \(body.count)-byte body")
        }
    }
}

/// A sealed stream's key, ticket and port, and a request's ticket, are checked both ways.
final class SealedStreamWireTests: XCTestCase {
    func testSealedFieldsRoundTripAndBadSizesAreRefused() throws {
        var manifest = WireExamples.manifest
        manifest.sealed = SealedStream(key: Array(0..<32), port: 40_001, ticket: Array(100..<116))
        let frames = try WireCodec.encode(.weightsManifest(manifest), header: WireHeader(worker: 1, sequence: 1))
        XCTAssertEqual(try WireCodec.decode(frames: frames, from: .learner).message, .weightsManifest(manifest))
        let request = WeightsRequest(version: 4, byteOffset: 0, credit: 2, ticket: Array(0..<16))
        let requestFrames = try WireCodec.encode(.weightsRequest(request), header: WireHeader(worker: 1, sequence: 2))
        XCTAssertEqual(try WireCodec.decode(frames: requestFrames, from: .worker).message, .weightsRequest(request))
        for bad in [SealedStream(key: Array(0..<31), port: 1, ticket: Array(0..<16)), SealedStream(key: Array(0..<32), port: 0, ticket: Array(0..<16)),
                    SealedStream(key: Array(0..<32), port: 1, ticket: Array(0..<15))] {
            manifest.sealed = bad
            XCTAssertThrowsError(try WireCodec.encode(.weightsManifest(manifest), header: WireHeader(worker: 1, sequence: 1)))
        }
        XCTAssertThrowsError(try WireCodec.encode(.weightsRequest(WeightsRequest(version: 4, byteOffset: 0, credit: 2, ticket: [1])),
                                                  header: WireHeader(worker: 1, sequence: 1)))
        // decoding: a 31-byte key, a 15-byte ticket, port 0 or 70000, each alone, as a hostile peer would send them
        var key = [UInt8](repeating: 1, count: 32), ticket = [UInt8](repeating: 2, count: 16)
        try key.withUnsafeMutableBufferPointer { k in
            try ticket.withUnsafeMutableBufferPointer { t in
                func message(keyBytes: Int = 32, ticketBytes: Int = 16, port: UInt32 = 1) -> Rlhf__V1__SealedStream {
                    var message = Rlhf__V1__SealedStream()
                    rlhf__v1__sealed_stream__init(&message)
                    message.key = ProtobufCBinaryData(len: keyBytes, data: k.baseAddress)
                    message.ticket = ProtobufCBinaryData(len: ticketBytes, data: t.baseAddress)
                    message.port = port
                    return message
                }
                XCTAssertNoThrow(try SealedStream(proto: message()))
                XCTAssertThrowsError(try SealedStream(proto: message(keyBytes: 31)))
                XCTAssertThrowsError(try SealedStream(proto: message(ticketBytes: 15)))
                XCTAssertThrowsError(try SealedStream(proto: message(port: 0)))
                XCTAssertThrowsError(try SealedStream(proto: message(port: 70_000)))
            }
        }
    }
}
