import Foundation
import TestSupport
import XCTest

/// `rlhf dpo` on stories260K with pairs that prefer happy endings: it starts at the loss log 2 (the
/// policy is its reference), learns to rank held-out pairs of the same kind, writes a model folder that
/// loads again, and stops with the file and line of a malformed pair.
final class DPOCommandTests: XCTestCase {
    let model = TestPaths.data("stories260K/stories260K.bin"), tokenizer = TestPaths.data("stories260K/tok512.bin")

    func folder() -> URL { temporaryPath("dpo") }

    func pairs(_ url: URL, extra: String = "") throws {
        let names = ["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Sam", "Amy", "Tim", "Zoe", "Jack", "Anna"]
        let lines = names.enumerated().map { i, name in
            let object: [String: String] = ["prompt": "Once upon a time, \(name) went to the park.",
                                            "chosen": " \(name) was very happy and smiled.",
                                            "rejected": " \(name) was very sad and cried."]
            return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        try Data((lines.joined(separator: "\n") + "\n" + extra).utf8).write(to: url)
    }

    func testLearnsTheHeldOutPreference() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let data = root.appendingPathComponent("pairs.jsonl"), output = root.appendingPathComponent("out")
        try pairs(data)
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let r = try RLHFBinary.run(binary, ["dpo", "--model", model.path, "--tokenizer", tokenizer.path, "--data", data.path,
                                            "--eval-fraction", "0.25", "--epochs", "4", "--lr", "3e-3", "--batch", "3", "--beta", "0.5",
                                            "--output", output.path, "--json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(result["train_pairs"] as? Int, 9)
        XCTAssertEqual(result["eval_pairs"] as? Int, 3)
        XCTAssertEqual(result["steps"] as? Int, 12)
        XCTAssertEqual(try XCTUnwrap(result["eval_loss_before"] as? Double), log(2), accuracy: 1e-12, "the policy starts as its reference")
        XCTAssertEqual(result["eval_accuracy_before"] as? Double, 0, "every implicit reward is exactly 0: no pair is ranked yet")
        XCTAssertLessThan(try XCTUnwrap(result["eval_loss"] as? Double), log(2) - 0.05)
        XCTAssertEqual(result["eval_accuracy"] as? Double, 1, "held-out names, the same preference")
        let lines = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 13, "a line per step and the evaluation")
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Double])
        XCTAssertEqual(try XCTUnwrap(first["loss"]), log(2), accuracy: 1e-6)
        XCTAssertNotNil(first["rewards/margins"])
        // the written folder is a model `rlhf score` reads
        let score = try RLHFBinary.run(binary, ["score", "--model", output.path, "--text", "Once upon a time", "--json"])
        XCTAssertEqual(score.status, 0, score.stderr)
    }

    func testAMalformedPairNamesItsLine() throws {
        let root = folder()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let data = root.appendingPathComponent("pairs.jsonl")
        try pairs(data, extra: "{\"prompt\": \"x\", \"chosen\": 3, \"rejected\": \"y\"}\n")
        let r = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                   ["dpo", "--model", model.path, "--tokenizer", tokenizer.path, "--data", data.path,
                                    "--output", root.appendingPathComponent("out").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("pairs.jsonl:13"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path), "nothing written")
    }
}
