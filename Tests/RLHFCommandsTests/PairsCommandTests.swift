import Datasets
import Foundation
import TestSupport
import XCTest

/// `rlhf pairs` through the built binary on stories260K: one JSON line per prompt that `PreferenceData`
/// (and so `rlhf dpo`) reads back, labelled by the heuristic or VADER or left unlabelled; the same seed
/// gives the same file whatever the batch; A and B are sampled at their own temperatures; bad flags and
/// inputs are one `error:` line with status 2, and the output never replaces an input.
final class PairsCommandTests: XCTestCase {
    let model = TestPaths.data("stories260K/stories260K.bin"), tokenizer = TestPaths.data("stories260K/tok512.bin")
    let prompts = ["Once upon a time, there was a little girl", "Tom and his dog went to the park", "The sun was shining and",
                   "Lily found a big red ball", "One day, a cat", "Ben wanted to play with his friend"]
    private var root: URL!

    override func setUpWithError() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        root = temporaryPath("pairs")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// A prompts file holding `text`.
    private func promptFile(_ text: String? = nil, name: String = "prompts.txt") throws -> URL {
        let url = root.appendingPathComponent(name)
        try Data((text ?? prompts.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// Runs `rlhf pairs` on stories260K with `arguments` after the model flags.
    private func pairs(_ arguments: [String]) throws -> RLHFBinary.Run {
        try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                           ["pairs", "--model", model.path, "--tokenizer", tokenizer.path, "--max-new-tokens", "24", "--threads", "2"] + arguments,
                           environment: ["RLHF_VADER_DIR": TestPaths.models.appendingPathComponent("vader").path])
    }

    /// The JSON objects of `url`, one a line.
    private func objects(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testHeuristicPairsReadBackAndTheSameSeedGivesTheSameFileWhateverTheBatch() throws {
        let input = try promptFile(), out = root.appendingPathComponent("pairs.jsonl"), again = root.appendingPathComponent("again.jsonl")
        let r = try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", out.path, "--seed", "5", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(summary["pairs"] as? Int, prompts.count)
        XCTAssertEqual(summary["labeler"] as? String, "heuristic")
        let (read, skipped) = try PreferenceData.read(path: out.path, format: .pairs)
        XCTAssertEqual(skipped, 0)
        XCTAssertEqual(read.map(\.prompt), prompts)
        let lines = try objects(out)
        XCTAssertEqual(lines.count, prompts.count)
        var differing = 0
        for (pair, object) in zip(read, lines) {
            XCTAssertEqual(object["labeler"] as? String, "heuristic")
            let chosen = try XCTUnwrap(object["chosen_score"] as? Double), rejected = try XCTUnwrap(object["rejected_score"] as? Double)
            XCTAssertEqual(chosen, Double(HeuristicPreference.score(prompt: pair.prompt, response: pair.chosen).total))
            XCTAssertEqual(rejected, Double(HeuristicPreference.score(prompt: pair.prompt, response: pair.rejected).total))
            XCTAssertGreaterThanOrEqual(chosen, rejected)
            XCTAssertEqual(object["tie"] as? Bool, chosen == rejected)
            XCTAssertEqual(object["identical"] as? Bool, pair.chosen == pair.rejected)
            if pair.chosen != pair.rejected { differing += 1 }
        }
        XCTAssertGreaterThan(differing, prompts.count / 2, "two temperatures and two streams: most pairs differ")

        let batched = try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", again.path, "--seed", "5", "--batch", "4"])
        XCTAssertEqual(batched.status, 0, batched.stderr)
        XCTAssertEqual(try Data(contentsOf: again), try Data(contentsOf: out), "same seed, another --batch: same file")
        let other = try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", again.path, "--seed", "6"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertNotEqual(try Data(contentsOf: again), try Data(contentsOf: out), "another seed, other samples")

        // the file is training data as it stands
        let dpo = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                     ["dpo", "--model", model.path, "--tokenizer", tokenizer.path, "--data", out.path, "--format", "pairs",
                                      "--eval-fraction", "0.34", "--batch", "2", "--output", root.appendingPathComponent("dpo").path,
                                      "--json", "--threads", "2"])
        XCTAssertEqual(dpo.status, 0, dpo.stderr)
    }

    func testVaderPairsPreferTheMorePositiveResponse() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "VADER's lexicons are missing from \(TestPaths.models.path)/vader: run `make models`")
        let input = try promptFile(), out = root.appendingPathComponent("vader.jsonl")
        let r = try pairs(["--prompts", input.path, "--labeler", "vader", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\(prompts.count) pairs labelled by vader"), r.stdout)
        let lexicon = try VaderSentiment(lexiconDirectory: TestPaths.models.appendingPathComponent("vader"))
        let (read, _) = try PreferenceData.read(path: out.path, format: .pairs)
        XCTAssertEqual(read.map(\.prompt), prompts)
        for (pair, object) in zip(read, try objects(out)) {
            XCTAssertEqual(object["labeler"] as? String, "vader")
            XCTAssertEqual(object["chosen_score"] as? Double, lexicon.scores(pair.chosen).compound)
            XCTAssertEqual(object["rejected_score"] as? Double, lexicon.scores(pair.rejected).compound)
            XCTAssertGreaterThanOrEqual(lexicon.scores(pair.chosen).compound, lexicon.scores(pair.rejected).compound)
        }
    }

    func testARewardFolderScoresPromptPlusResponseAsRewardScoreDoes() throws {
        // a reward model with a tokenizer in a second: stories260K as a Hugging Face folder under a fresh head,
        // trained on happy-over-sad pairs
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let backbone = root.appendingPathComponent("hf"), reward = root.appendingPathComponent("rm")
        let data = root.appendingPathComponent("rm-pairs.jsonl")
        let lines = ["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Sam", "Amy"].map { name in
            String(decoding: try! JSONSerialization.data(withJSONObject: ["prompt": "Once upon a time, \(name) went to the park.",
                                                                         "chosen": " \(name) was very happy and smiled.",
                                                                         "rejected": " \(name) was very sad and cried."],
                                                         options: [.sortedKeys]), as: UTF8.self)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let convert = try RLHFBinary.run(binary, ["convert", "--from", model.path, "--tokenizer", tokenizer.path, "--to", backbone.path])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let train = try RLHFBinary.run(binary, ["reward", "train", "--model", backbone.path, "--data", data.path, "--output", reward.path,
                                                "--epochs", "2", "--lr", "1e-3", "--batch", "4", "--threads", "2"])
        XCTAssertEqual(train.status, 0, train.stderr)

        let input = try promptFile(), out = root.appendingPathComponent("reward.jsonl")
        let r = try pairs(["--prompts", input.path, "--labeler", "reward:\(reward.path)", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let (read, _) = try PreferenceData.read(path: out.path, format: .pairs)
        XCTAssertEqual(read.map(\.prompt), prompts)
        let objects = try objects(out)
        XCTAssertEqual(objects.first?["labeler"] as? String, "reward:\(reward.path)")
        let score = try RLHFBinary.run(binary, ["reward", "score", "--model", reward.path, "--json", "--threads", "2"]
                                       + read.flatMap { ["--text", $0.prompt + $0.chosen, "--text", $0.prompt + $0.rejected] })
        XCTAssertEqual(score.status, 0, score.stderr)
        let rewards = try score.stdout.split(separator: "\n").map {
            try XCTUnwrap((JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["reward"] as? Double)
        }
        XCTAssertEqual(rewards.count, 2 * prompts.count)
        for (i, object) in objects.enumerated() {
            let chosen = try XCTUnwrap(object["chosen_score"] as? Double), rejected = try XCTUnwrap(object["rejected_score"] as? Double)
            // to rounding: the two commands put different rows together in a forward pass
            XCTAssertEqual(chosen, rewards[2 * i], accuracy: 1e-5, "pair \(i + 1): rlhf reward score's reward of prompt + chosen")
            XCTAssertEqual(rejected, rewards[2 * i + 1], accuracy: 1e-5)
            XCTAssertGreaterThanOrEqual(chosen, rejected)
        }
    }

    func testNoneLeavesBothResponsesAndEachSideHasItsOwnTemperature() throws {
        // JSON Lines prompts; A nearly greedy: the same under any seed, while B at temperature 1 changes with it
        let input = try promptFile(prompts.map { "{\"prompt\": \"\($0)\", \"id\": 1}" }.joined(separator: "\n"), name: "prompts.jsonl")
        func run(seed: Int) throws -> [[String: Any]] {
            let out = root.appendingPathComponent("none-\(seed).jsonl")
            let r = try pairs(["--prompts", input.path, "--labeler", "none", "--output", out.path, "--temperatures", "0.01,1",
                               "--seed", "\(seed)"])
            XCTAssertEqual(r.status, 0, r.stderr)
            return try objects(out)
        }
        let first = try run(seed: 1), second = try run(seed: 2)
        XCTAssertEqual(first.count, prompts.count)
        for object in first {
            XCTAssertEqual(Set(object.keys), ["prompt", "response_a", "response_b", "labeler", "identical"])
            XCTAssertEqual(object["labeler"] as? String, "none")
        }
        XCTAssertEqual(first.map { $0["prompt"] as? String }, prompts)
        XCTAssertEqual(first.map { $0["response_a"] as? String }, second.map { $0["response_a"] as? String })
        XCTAssertNotEqual(first.map { $0["response_b"] as? String }, second.map { $0["response_b"] as? String })
    }

    func testBadFlagsAndInputsAreOneLineWithStatusTwo() throws {
        let input = try promptFile(), out = root.appendingPathComponent("out.jsonl")
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "gpt4", "--output", out.path]), mentioning: ["--labeler", "gpt4"])
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "reward:", "--output", out.path]), mentioning: ["reward:DIR"])
        let missing = root.appendingPathComponent("no-such-reward-model").path
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "reward:\(missing)", "--output", out.path]), mentioning: [missing])
        let noTokenizer = TestPaths.fixture("bert-reward-tiny").path
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "reward:\(noTokenizer)", "--output", out.path]),
                      mentioning: ["--labeler reward:\(noTokenizer)", "no tokenizer"])
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "reward:\(missing)", "--output", out.path]), mentioning: ["--labeler", missing])
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", out.path, "--temperatures", "0.7"]),
                      mentioning: ["--temperatures"])
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", out.path, "--vader-lexicon", "/tmp"]),
                      mentioning: ["--vader-lexicon"])
        let empty = try promptFile("\n\n", name: "empty.txt")
        assertRefused(try pairs(["--prompts", empty.path, "--labeler", "heuristic", "--output", out.path]),
                      mentioning: ["--prompts", empty.path, "no prompt"])
        let malformed = try promptFile("{\"prompt\": \"fine\"}\n{\"text\": \"no prompt key\"}\n", name: "bad.jsonl")
        assertRefused(try pairs(["--prompts", malformed.path, "--labeler", "heuristic", "--output", out.path]),
                      mentioning: ["--prompts", malformed.path, "line 2"])
        assertRefused(try pairs(["--prompts", root.appendingPathComponent("absent.txt").path, "--labeler", "heuristic", "--output", out.path]),
                      mentioning: ["--prompts", "absent.txt"])
        // the output may not replace an input, nor be a folder
        let before = try Data(contentsOf: input)
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", input.path]), mentioning: ["--output", "--prompts"])
        XCTAssertEqual(try Data(contentsOf: input), before)
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", model.path]), mentioning: ["--output", "--model"])
        assertRefused(try pairs(["--prompts", input.path, "--labeler", "heuristic", "--output", root.path]), mentioning: ["--output", "folder"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written by a refused run")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.contains("partial") }, [])
    }
}
