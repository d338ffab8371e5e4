@testable import Wire
import XCTest

/// A score request's texts for a reward worker that scores text (`Capabilities.score_texts`): they round
/// trip exactly (a NUL and non-ASCII included), and hostile ones are typed errors.
final class SequenceTextsWireTests: XCTestCase {
    let texts = SequenceTexts(queries: ["Once upon", ""], responses: ["a time\u{0}, a 🐕 ran", "é"])

    func roundTrip(_ message: WireMessage, from sender: WirePeer) throws -> WireMessage {
        try WireCodec.decode(frames: try WireExamples.frames(message), from: sender).message
    }

    func testTextsAndTheRegistrationFlagRoundTrip() throws {
        var request = WireExamples.request
        request.texts = texts
        XCTAssertEqual(try roundTrip(.scoreRequest(request), from: .learner), .scoreRequest(request))
        XCTAssertEqual(try roundTrip(.scoreRequest(WireExamples.request), from: .learner), .scoreRequest(WireExamples.request))
        let register = Register(role: .reward, host: "h", pid: 9, device: "cpu",
                                capabilities: WorkerCapabilities(maxRowsPerTask: 4, backends: ["python"], scoreTexts: true))
        XCTAssertEqual(try roundTrip(.register(register), from: .worker), .register(register))
    }

    /// A score request body with valid ids and temperature, and the given text fields.
    func body(queryText: [UInt8], queryLengths: [Int64], responseText: [UInt8], responseLengths: [Int64]) -> [UInt8] {
        var w = ProtoWriter()
        w.message(1) { $0.int(1, 0); $0.int(2, 0) }
        w.packed(2, [1, 2, 3]); w.packed(3, [2, 1])
        w.packed(4, [4]); w.packed(5, [1, 0])
        w.float(6, 1)
        if !queryText.isEmpty { w.data(7, queryText) }
        if !queryLengths.isEmpty { w.packed(8, queryLengths) }
        if !responseText.isEmpty { w.data(9, responseText) }
        if !responseLengths.isEmpty { w.packed(10, responseLengths) }
        return w.bytes
    }

    func decode(_ kind: Int64, _ body: [UInt8], from sender: WirePeer = .learner) throws(WireError) -> WireMessage {
        try WireCodec.decode(frames: [ProtoWriter.header(kind: kind), body], from: sender).message
    }

    func testHostileTextsAreRefused() {
        let ab = Array("ab".utf8)
        assertWireError(.inconsistent("SequenceRequest has 1 query texts and 2 response texts for 2 rows")) {
            try decode(KindNumber.scoreRequest, body(queryText: ab, queryLengths: [2], responseText: ab, responseLengths: [1, 1]))
        }
        assertWireError(.inconsistent("SequenceRequest has 0 query texts and 0 response texts for 2 rows")) {
            try decode(KindNumber.scoreRequest, body(queryText: ab, queryLengths: [], responseText: [], responseLengths: []))
        }
        assertWireError(.inconsistent("SequenceRequest.query_text_lengths sum to 5; SequenceRequest.query_text holds 2 values")) {
            try decode(KindNumber.scoreRequest, body(queryText: ab, queryLengths: [1, 4], responseText: ab, responseLengths: [1, 1]))
        }
        assertWireError(.outOfRange(field: "SequenceRequest.response_text_lengths[0]", value: "-1", expected: ">= 0")) {
            try decode(KindNumber.scoreRequest, body(queryText: ab, queryLengths: [1, 1], responseText: ab, responseLengths: [-1, 3]))
        }
        assertWireError(.invalidText("SequenceRequest.response_text row 1")) {
            try decode(KindNumber.scoreRequest, body(queryText: ab, queryLengths: [1, 1], responseText: [0x61, 0xC3, 0x28], responseLengths: [1, 2]))
        }
        assertWireError(.inconsistent("a REFERENCE_REQUEST carries texts; only a SCORE_REQUEST may")) {
            try decode(KindNumber.referenceRequest, body(queryText: ab, queryLengths: [1, 1], responseText: ab, responseLengths: [1, 1]))
        }
        XCTAssertEqual(try? decode(KindNumber.scoreRequest, body(queryText: ab, queryLengths: [1, 1], responseText: ab, responseLengths: [2, 0])),
                       .scoreRequest(SequenceRequest(id: TaskID(iteration: 0, index: 0), queries: [[1, 2], [3]], responses: [[4], []],
                                                     temperature: 1, texts: SequenceTexts(queries: ["a", "b"], responses: ["ab", ""]))))
    }

    func testOnlyARewardWorkerMayAskForTexts() throws {
        let register = Register(role: .rollout, host: "h", pid: 9, device: "cpu",
                                capabilities: WorkerCapabilities(maxRowsPerTask: 4, backends: ["cpu"], scoreTexts: true))
        let frames = try WireExamples.frames(.register(register))
        assertWireError(.inconsistent("a rollout worker set Capabilities.score_texts, which only reward workers may ask for")) {
            try WireCodec.decode(frames: frames, from: .worker)
        }
    }

    func testTextsThatDoNotMatchTheRowsAreNotEncoded() {
        var request = WireExamples.request
        request.texts = SequenceTexts(queries: ["one"], responses: ["one"])
        assertWireError(.unrepresentable(field: "SequenceRequest.query_text", value: "1 and 1 texts for 2 rows")) {
            try WireExamples.frames(.scoreRequest(request))
        }
    }
}
