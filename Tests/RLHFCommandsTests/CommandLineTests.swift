import Foundation
import ModelIO
import TestSupport
import XCTest

/// The `rlhf` executable end to end: JSON output against the fixtures, and bad input → one line, status 2.
final class CommandLineTests: XCTestCase {
    /// The `rlhf` binary built beside this test bundle.
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    typealias Run = RLHFBinary.Run

    func rlhf(_ arguments: [String]) throws -> Run { try RLHFBinary.run(binary, arguments) }

    func json(_ run: Run) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    func testScoreIDsMatchesFixtureLogProbs() throws {
        // the GPT-2 fixture's padded row 1, with its mask and positions, against transformers' log-probs
        let dir = TestPaths.fixture("gpt2-tiny")
        let expected = try SafetensorsFile(url: dir.appendingPathComponent("expected.safetensors"))
        let T = try expected.info("input_ids").shape[1]
        func row1(_ name: String) throws -> [Int] { Array(try expected.int64s(name).map(Int.init)[T..<(2 * T)]) }
        let ids = try row1("input_ids"), mask = try row1("padded.attention_mask"), positions = try row1("padded.position_ids")
        func list(_ v: [Int]) -> String { v.map(String.init).joined(separator: ",") }
        let result = try json(rlhf(["score", "--model", dir.path, "--ids", list(ids), "--attention-mask", list(mask),
                                    "--position-ids", list(positions), "--json"]))
        XCTAssertEqual(result["ids"] as? [Int], ids)
        let logprobs = try XCTUnwrap(result["logprobs"] as? [Double])
        let want = Array(try expected.floats("padded.next_token_logprobs")[(T - 1)..<(2 * T - 2)])
        var compared = 0
        for t in 0..<(T - 1) where mask[t + 1] != 0 {
            XCTAssertEqual(logprobs[t], Double(want[t]), accuracy: 1e-4, "position \(t)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, T / 2)
    }

    func testScoreChatPromptIDsMatchSmolLM2Goldens() throws {
        struct Case: Decodable { let question: String; let prompt_ids: [Int]; let next_token_logprobs: [Float] }
        struct Goldens: Decodable { let cases: [Case] }
        let goldens = try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: TestPaths.fixture("smollm2-goldens.json")))
        let c = goldens.cases[0]
        let result = try json(rlhf(["score", "--model", TestPaths.smolLM2GGUF.path, "--text", c.question, "--chat", "--json"]))
        XCTAssertEqual(result["ids"] as? [Int], c.prompt_ids)
        let logprobs = try XCTUnwrap(result["logprobs"] as? [Double])
        for (got, want) in zip(logprobs, c.next_token_logprobs) { XCTAssertEqual(got, Double(want), accuracy: 1e-3) }
    }

    func testTokenizeMatchesFixture() throws {
        let result = try json(rlhf(["tokenize", "--tokenizer", TestPaths.data("gpt2").path, "--text", "Hello world", "--json"]))
        XCTAssertEqual(result["ids"] as? [Int], [15496, 995])
    }

    func testGenerateGreedyStory() throws {
        let dir = TestPaths.data("stories260K")
        let result = try json(rlhf(["generate", "--model", dir.appendingPathComponent("stories260K.bin").path,
                                    "--tokenizer", dir.appendingPathComponent("tok512.bin").path,
                                    "--prompt", "", "--greedy", "--max-new-tokens", "20", "--json"]))
        let text = try XCTUnwrap(result["text"] as? String)
        XCTAssertTrue(text.hasPrefix("Once upon a time, there was a little girl named Lily."), text)
        XCTAssertEqual((result["ids"] as? [Int])?.count, (result["logprobs"] as? [Double])?.count)
    }

    func testBadInputIsOneLineAndStatusTwo() throws {
        let fixture = TestPaths.fixture("gpt2-tiny").path
        let cases: [[String]] = [
            ["score", "--model", "/nonexistent/model", "--ids", "1,2"],
            ["score", "--model", fixture, "--ids", "1,2,99999"],
            ["score", "--model", fixture, "--ids", "1,x,3"],
            ["score", "--model", fixture, "--ids", "1,2", "--attention-mask", "1"],
            ["generate", "--model", fixture, "--prompt", "hi", "--temperature", "0"],
            ["generate", "--model", TestPaths.data("stories260K/stories260K.bin").path, "--prompt", "hi"],
            ["tokenize", "--tokenizer", TestPaths.fixture("gpt2-tiny/config.json").path, "--text", "hi"],
            ["bench", "train", "--model", "no-such-model"],
            ["bench", "generate", "--model", "gpt2-tiny", "--weight-packing", "sometimes"],
            ["frobnicate"],
        ]
        for arguments in cases {
            let run = try rlhf(arguments)
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): \(run.stderr)")
            XCTAssertTrue(lines.first?.hasPrefix("error: ") ?? false, "\(arguments): \(run.stderr)")
        }
    }

    func testBenchProductsReportsBothPaths() throws {
        // the products of one gpt2-tiny decoding step with 20 rows, stored and packed: both paths run
        let result = try json(rlhf(["bench", "products", "--model", "gpt2-tiny", "--batch", "20", "--runs", "1",
                                    "--threads", "2", "--json"]))
        XCTAssertEqual(result["rows"] as? Int, 20)
        for key in ["stored_s", "packed_s", "stored_gflops", "packed_gflops", "speedup"] {
            let value = try XCTUnwrap(result[key] as? Double, key)
            XCTAssertTrue(value.isFinite && value > 0, "\(key) = \(value)")
        }
    }
}
