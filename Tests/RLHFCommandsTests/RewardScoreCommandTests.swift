import Foundation
import ModelIO
import TestSupport
import XCTest

/// `rlhf reward score` through the built binary: the gpt2-reward-tiny fixture's rewards (transformers'),
/// batches that score each row as alone, text and chat input, a converted classifier, and bad input as one
/// `error:` line with status 2.
final class RewardScoreCommandTests: XCTestCase {
    private var scratch: URL!
    private static let fixture = TestPaths.fixture("gpt2-reward-tiny")
    private static let tok512 = TestPaths.data("stories260K/tok512.bin")

    override func setUpWithError() throws {
        scratch = temporaryPath("reward-score-tests")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// The fixture's rows: chosen then rejected, each with its mask and transformers' reward.
    /// Runs `rlhf arguments` with `input` on standard input (none: empty).
    private func rlhf(_ arguments: [String], input: String? = nil) throws -> RLHFBinary.Run {
        try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), arguments, input: input)
    }

    private func fixtureRows() throws -> [(ids: [Int], mask: [Int], reward: Float)] {
        let expected = try SafetensorsFile(url: Self.fixture.appendingPathComponent("expected.safetensors"))
        var rows: [(ids: [Int], mask: [Int], reward: Float)] = []
        for side in ["chosen", "rejected"] {
            let shape = try expected.info("\(side)_ids").shape
            let ids = try expected.int64s("\(side)_ids").map(Int.init), mask = try expected.int64s("\(side)_mask").map(Int.init)
            let rewards = try expected.floats("reward_\(side)")
            for b in 0..<shape[0] {
                let row = (b * shape[1])..<((b + 1) * shape[1])
                rows.append((Array(ids[row]), Array(mask[row]), rewards[b]))
            }
        }
        return rows
    }

    private func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ",") }

    /// `--ids` (and `--attention-mask` when `masks`) for each row, in order.
    private func idArguments(_ rows: [[Int]], masks: [[Int]]? = nil) -> [String] {
        rows.indices.flatMap { i in ["--ids", list(rows[i])] + (masks.map { ["--attention-mask", list($0[i])] } ?? []) }
    }

    /// The rewards a successful run printed, one per line (plain, or `{"reward": x}` with `json`).
    private func rewards(_ run: RLHFBinary.Run, json: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> [Double] {
        XCTAssertEqual(run.status, 0, run.stderr, file: file, line: line)
        XCTAssertTrue(run.stdout.hasSuffix("\n"), file: file, line: line)
        return try run.stdout.split(separator: "\n").map { text in
            if json {
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                XCTAssertEqual(Array(object.keys), ["reward"], file: file, line: line)
                return try XCTUnwrap(object["reward"] as? Double, file: file, line: line)
            }
            return try XCTUnwrap(Double(text), String(text), file: file, line: line)
        }
    }

    func testFixtureRewardsAsOneBatchPlainAndJSON() throws {
        let rows = try fixtureRows()
        XCTAssertEqual(rows.count, 6)
        XCTAssertTrue(rows.contains { $0.mask.contains(0) }, "the fixture has padded rows")
        let arguments = ["reward", "score", "--model", Self.fixture.path] + idArguments(rows.map(\.ids), masks: rows.map(\.mask))
        for json in [false, true] {
            let got = try rewards(rlhf(arguments + (json ? ["--json"] : [])), json: json)
            XCTAssertEqual(got.count, rows.count)
            for (i, (reward, row)) in zip(got, rows).enumerated() {
                XCTAssertEqual(reward, Double(row.reward), accuracy: 1e-4, "row \(i), json \(json)")
            }
        }
    }

    func testRowAloneEqualsRowInBatchWithLongerRows() throws {
        let rows = try fixtureRows()
        let padded = try XCTUnwrap(rows.first { $0.mask.contains(0) })
        let short = Array(padded.ids[0..<padded.mask.lastIndex(of: 1)! + 1])
        XCTAssertLessThan(short.count, padded.ids.count)
        let model = ["reward", "score", "--model", Self.fixture.path]
        let alone = try rewards(rlhf(model + ["--ids", list(short)]))
        XCTAssertEqual(alone.count, 1)
        XCTAssertEqual(alone[0], Double(padded.reward), accuracy: 1e-4, "the unpadded row reads where the padded one does")
        let longer = rows.filter { !$0.mask.contains(0) }.map(\.ids)
        XCTAssertFalse(longer.isEmpty)
        let batch = try rewards(rlhf(model + idArguments([longer[0], short] + longer)))
        XCTAssertEqual(batch.count, longer.count + 2)
        XCTAssertEqual(batch[1], alone[0], accuracy: 1e-6)
        let longerAlone = try rewards(rlhf(model + ["--ids", list(longer[0])]))
        XCTAssertEqual(batch[0], longerAlone[0], accuracy: 1e-6)
    }

    func testTextTextFileAndChatUseTheTokenizer() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.tok512.path), "missing \(Self.tok512.path): set RLHF_SHARED")
        let tokenizer = try TokenizerFiles.load(path: Self.tok512.path)
        let texts = ["Once upon a time", "The cat sat on the mat."]
        let model = ["reward", "score", "--model", Self.fixture.path, "--tokenizer", Self.tok512.path]
        let fromIDs = try rewards(rlhf(["reward", "score", "--model", Self.fixture.path]
                                       + idArguments(texts.map { tokenizer.encode($0, addSpecialTokens: true) })))
        let fromText = try rewards(rlhf(model + texts.flatMap { ["--text", $0] }))
        XCTAssertEqual(fromText, fromIDs)
        let file = scratch.appendingPathComponent("text.txt")
        try Data(texts[0].utf8).write(to: file)
        let fromFiles = try rewards(rlhf(model + ["--text-file", file.path, "--text-file", "-"], input: texts[1]))
        XCTAssertEqual(fromFiles, fromIDs)

        let rendered = ChatMLTemplate.plain.render([.user(texts[0])], addGenerationPrompt: true)
        let chatIDs = tokenizer.encode(rendered, addSpecialTokens: false)
        let fromChatIDs = try rewards(rlhf(["reward", "score", "--model", Self.fixture.path, "--ids", list(chatIDs)]))
        let fromChat = try rewards(rlhf(model + ["--text", texts[0], "--chat", "--chat-template", "chatml"]))
        XCTAssertEqual(fromChat, fromChatIDs)
        XCTAssertNotEqual(fromChat[0], fromText[0], "the chat template changes the input")
    }

    func testConvertedClassifierScoresTheSame() throws {
        let rows = try fixtureRows()
        let out = scratch.appendingPathComponent("converted")
        let converted = try rlhf(["convert", "--from", Self.fixture.path, "--to", out.path])
        XCTAssertEqual(converted.status, 0, converted.stderr)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["GPT2ForSequenceClassification"])
        XCTAssertEqual(config["pad_token_id"] as? Int, 0)
        let inputs = idArguments(rows.map(\.ids), masks: rows.map(\.mask))
        let original = try rewards(rlhf(["reward", "score", "--model", Self.fixture.path] + inputs))
        let again = try rewards(rlhf(["reward", "score", "--model", out.path] + inputs))
        XCTAssertEqual(again, original)
    }

    func testOtherLabelCountsAndCausalLMsAreRefused() throws {
        let twoLabels = scratch.appendingPathComponent("two-labels")
        try FileManager.default.copyItem(at: Self.fixture, to: twoLabels)
        let configURL = twoLabels.appendingPathComponent("config.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["id2label"] = ["0": "LABEL_0", "1": "LABEL_1"]
        config["label2id"] = ["LABEL_0": 0, "LABEL_1": 1]
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        assertRefused(try rlhf(["reward", "score", "--model", twoLabels.path, "--ids", "1,2,3"]), mentioning: ["num_labels", "2"])

        let causal = TestPaths.fixture("gpt2-tiny").path
        assertRefused(try rlhf(["reward", "score", "--model", causal, "--ids", "1,2,3"]),
                      mentioning: [causal, "is not a sequence classifier", "GPT2LMHeadModel"])
        let missing = scratch.appendingPathComponent("nothing-here").path
        assertRefused(try rlhf(["reward", "score", "--model", missing, "--ids", "1,2,3"]), mentioning: [missing])
        assertRefused(try rlhf(["reward", "score", "--model", configURL.path, "--ids", "1,2,3"]), mentioning: ["not a Hugging Face folder"])
    }

    func testBadInputIsOneLineAndStatusTwo() throws {
        let model = ["reward", "score", "--model", Self.fixture.path]
        let cases: [([String], [String])] = [
            (["--ids", "1,2,3", "--ids", "4,5", "--attention-mask", "1,1,1"], ["1 --attention-mask for 2 --ids"]),
            (["--ids", "1,2,3", "--attention-mask", "1,1"], ["--attention-mask 1 has 2 values"]),
            (["--ids", "1,2,3", "--attention-mask", "1,2,1"], ["0 or 1"]),
            (["--ids", "1,2", "--text", "hi"], ["only one of them"]),
            ([], ["--ids, --text or --text-file"]),
            (["--ids", "1,2", "--chat"], ["--chat needs --text"]),
            (["--ids", "1,2", "--ids", "1,1000"], ["--ids 2", "1000", "0..<1000"]),
            (["--ids", Array(repeating: "1", count: 65).joined(separator: ",")], ["65 tokens", "64"]),
            (["--text", "hello"], ["no tokenizer found"]),
            (["--text-file", scratch.appendingPathComponent("absent.txt").path], ["--text-file", "absent.txt"]),
            (["--ids", "1,2", "--chat-template", "nonsense"], ["unknown chat template"]),
        ]
        for (arguments, mentions) in cases {
            assertRefused(try rlhf(model + arguments), mentioning: mentions)
        }
    }

    func testRewardAlonePrintsItsHelpAndStatusTwo() throws {
        let run = try rlhf(["reward"])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.stdout, "")
        XCTAssertTrue(run.stderr.contains("USAGE: rlhf reward <subcommand>"), run.stderr)
        XCTAssertTrue(run.stderr.contains("score"), run.stderr)
    }

    func testIgnoredOptionsWarn() throws {
        let run = try rlhf(["reward", "score", "--model", Self.fixture.path, "--ids", "1,2,3", "--chat-template", "chatml",
                            "--tokenizer", Self.tok512.path])
        XCTAssertEqual(try rewards(run).count, 1)
        XCTAssertTrue(run.stderr.contains("warning: --chat-template has no effect without --chat"), run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: --tokenizer has no effect with --ids"), run.stderr)
    }
}
