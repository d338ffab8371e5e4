import Datasets
import Foundation
import TestSupport
import XCTest

/// `rlhf reward train` and `rlhf reward eval` through the built binary with all-MiniLM-L6-v2 (from
/// `make models`) on real data: pairs and labelled reviews learn, the saved classifier scores its own
/// data as training measured it, and bad data or flags are one `error:` line with status 2.
final class RewardTrainCommandTests: XCTestCase {
    private let imdb = TestPaths.data("imdb-test.jsonl.gz"), dexperts = TestPaths.data("dexperts-human-judgments.jsonl.gz")

    private func folder() -> URL { temporaryPath("reward-train") }

    private func json(_ run: RLHFBinary.Run) throws -> [String: Any] {
        XCTAssertEqual(run.status, 0, run.stderr)
        let last = try XCTUnwrap(run.stdout.split(separator: "\n").last)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    }

    func testLabelledReviewsLearnAndTheSavedModelEvaluatesTheSame() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.miniLM.path), "missing \(TestPaths.miniLM.path): run make models")
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let output = root.appendingPathComponent("rm"), reviews = root.appendingPathComponent("reviews.jsonl")
        // 24 real reviews of each label, trained on and then evaluated: the loss on them must fall
        let all = try IMDbReviews.load(path: imdb.path)
        let picked = all.filter { $0.label == 1 }.prefix(24) + all.filter { $0.label == 0 }.prefix(24)
        let lines = try picked.map { review in
            String(decoding: try JSONSerialization.data(withJSONObject: ["text": review.text, "label": review.label]), as: UTF8.self)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: reviews)
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let data = ["--format", "imdb", "--data", reviews.path, "--eval-data", reviews.path, "--max-len", "64"]
        let trained = try json(RLHFBinary.run(binary, ["reward", "train", "--model", TestPaths.miniLM.path] + data
                                                + ["--epochs", "4", "--lr", "1e-4", "--batch", "8", "--output", output.path, "--json", "--threads", "2"]))
        XCTAssertEqual(trained["train_examples"] as? Int, 48)
        XCTAssertEqual(trained["steps"] as? Int, 24)
        XCTAssertEqual(trained["pooling"] as? String, "cls")
        let before = try XCTUnwrap(trained["eval_loss_before"] as? Double), after = try XCTUnwrap(trained["eval_loss"] as? Double)
        XCTAssertLessThan(after, before - 0.1, "four epochs on the evaluated reviews lower their loss")
        XCTAssertGreaterThan(try XCTUnwrap(trained["eval_accuracy"] as? Double), 0.75)
        let metrics = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 25, "a line per step and the evaluation")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForSequenceClassification"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("tokenizer.json").path))

        // eval of the saved folder on the same reviews gives training's final numbers
        let evaluated = try json(RLHFBinary.run(binary, ["reward", "eval", "--model", output.path, "--json", "--whole-file",
                                                         "--format", "imdb", "--data", reviews.path, "--max-len", "64"]))
        XCTAssertEqual(try XCTUnwrap(evaluated["eval_loss"] as? Double), after, accuracy: 1e-5)
        XCTAssertEqual(evaluated["eval_accuracy"] as? Double, trained["eval_accuracy"] as? Double)
        let score = try RLHFBinary.run(binary, ["reward", "score", "--model", output.path, "--text", "A wonderful, moving film."])
        XCTAssertEqual(score.status, 0, score.stderr)
    }

    func testPairsTrainWithAMarginAndMeanPooling() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.miniLM.path), "missing \(TestPaths.miniLM.path): run make models")
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("rm")
        let r = try json(RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                        ["reward", "train", "--model", TestPaths.miniLM.path, "--format", "dexperts", "--data", dexperts.path,
                                         "--train-size", "24", "--eval-size", "16", "--pooling", "mean", "--margin", "0.5",
                                         "--batch", "8", "--output", output.path, "--json", "--threads", "2"]))
        XCTAssertEqual(r["steps"] as? Int, 3)
        XCTAssertEqual(r["eval_examples"] as? Int, 16)
        XCTAssertEqual(r["pooling"] as? String, "mean")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["rlhf_pooling"] as? String, "mean")
    }

    func testBadDataAndFlagsAreOneLineAndStatusTwo() throws {
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let pairs = root.appendingPathComponent("pairs.jsonl"), output = root.appendingPathComponent("out")
        let good = "{\"prompt\": \"Q\", \"chosen\": \" yes\", \"rejected\": \" no\"}"
        try Data(([good, good, "{\"prompt\": \"Q\", \"chosen\": 3}", good].joined(separator: "\n") + "\n").utf8).write(to: pairs)
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let cases: [([String], String)] = [
            (["--model", TestPaths.miniLM.path, "--data", pairs.path], "pairs.jsonl:3"),
            (["--model", TestPaths.data("stories260K/stories260K.bin").path, "--data", pairs.path], "not a Hugging Face folder"),
            (["--model", TestPaths.miniLM.path, "--data", pairs.path, "--lr", "0"], "--lr"),
            (["--model", TestPaths.miniLM.path, "--data", pairs.path, "--format", "imdb", "--margin", "1"], "--margin"),
            (["--model", TestPaths.miniLM.path, "--data", pairs.path, "--pooling", "first"], "--pooling"),
        ]
        for (arguments, mention) in cases {
            let r = try RLHFBinary.run(binary, ["reward", "train"] + arguments + ["--output", output.path])
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(mention), "\(mention) not in \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "nothing written")
        }
        let eval = try RLHFBinary.run(binary, ["reward", "eval", "--model", TestPaths.miniLM.path, "--data", pairs.path])
        XCTAssertEqual(eval.status, 2, eval.stderr)
        XCTAssertTrue(eval.stderr.contains("not a sequence classifier"), eval.stderr)
    }
}
