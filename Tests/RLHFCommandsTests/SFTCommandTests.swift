import Foundation
import TestSupport
import XCTest

/// `rlhf sft` on stories260K with a real slice of Anthropic HH (each chosen transcript split at its last
/// "\n\nAssistant:"): the held-out loss per response token falls, the folder it writes loads again, a
/// run resumed from a checkpoint ends with the uninterrupted run's weights bit for bit, and a
/// malformed line stops it with the file and line and nothing written.
final class SFTCommandTests: XCTestCase {
    let model = TestPaths.data("stories260K/stories260K.bin"), tokenizer = TestPaths.data("stories260K/tok512.bin")
    let hh = TestPaths.data("hh-rlhf-harmless-base-test.jsonl.gz")

    func folder() throws -> URL {
        let url = temporaryPath("sft")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The first `count` HH transcripts shorter than 300 characters as prompt/response lines, in file order.
    func slice(_ count: Int, to url: URL, extra: String = "") throws {
        try requireFile(FileManager.default.fileExists(atPath: hh.path), "missing \(hh.path)")
        let gunzip = Process(), pipe = Pipe()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", hh.path]
        gunzip.standardOutput = pipe
        try gunzip.run()
        let text = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        var lines: [String] = []
        for line in text.split(separator: UInt8(ascii: "\n")) where lines.count < count {
            let row = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: String])
            let transcript = try XCTUnwrap(row["chosen"])
            guard transcript.count < 300, let cut = transcript.range(of: "\n\nAssistant:", options: .backwards) else { continue }
            let object = ["prompt": String(transcript[..<cut.upperBound]), "response": String(transcript[cut.upperBound...])]
            guard !(object["response"]!.trimmingCharacters(in: .whitespaces).isEmpty) else { continue }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        XCTAssertEqual(lines.count, count)
        try Data((lines.joined(separator: "\n") + "\n" + extra).utf8).write(to: url)
    }

    func run(_ arguments: [String]) throws -> (RLHFBinary.Run, [String: Any]?) {
        let r = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                   ["sft", "--model", model.path, "--tokenizer", tokenizer.path, "--threads", "2", "--json"] + arguments)
        return (r, try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    func testSFTLowersTheHeldOutLossOnASmallRealSlice() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("hh-sft.jsonl"), output = root.appendingPathComponent("out")
        try slice(60, to: data)
        let (r, result) = try run(["--data", data.path, "--eval-fraction", "0.25", "--epochs", "3", "--lr", "3e-3", "--batch", "8",
                                   "--micro-batch", "3", "--max-len", "128", "--output", output.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(result, r.stdout)
        XCTAssertEqual(json["train_examples"] as? Int, 45)
        XCTAssertEqual(json["eval_examples"] as? Int, 15)
        XCTAssertEqual(json["steps"] as? Int, 18, "⌈45 / 8⌉ batches a pass, 3 passes")
        let before = try XCTUnwrap(json["eval_loss_before"] as? Double), after = try XCTUnwrap(json["eval_loss"] as? Double)
        XCTAssertLessThan(after, before - 0.1, "held-out HH responses: \(before) → \(after)")
        let lines = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 20, "the evaluation before, a line per step, the evaluation after")
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Double])
        XCTAssertEqual(first["step"], 1)
        XCTAssertEqual(first["learning_rate"], 0, "the first warm-up step runs at 0, as in transformers")
        XCTAssertNotNil(first["grad_norm"])
        for name in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), name)
        }
        let score = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), ["score", "--model", output.path, "--text", "Hello", "--json"])
        XCTAssertEqual(score.status, 0, score.stderr)
    }

    func testAResumedRunEndsWithTheUninterruptedRunsWeights() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("hh-sft.jsonl")
        try slice(30, to: data)
        let flags = ["--data", data.path, "--eval-fraction", "0.2", "--epochs", "2", "--lr", "3e-3", "--batch", "4", "--max-len", "96",
                     "--seed", "5", "--save-every", "3"]
        let whole = root.appendingPathComponent("whole"), resumed = root.appendingPathComponent("resumed")
        let (a, first) = try run(flags + ["--output", whole.path])
        XCTAssertEqual(a.status, 0, a.stderr)
        let checkpoint = whole.appendingPathComponent("checkpoint-9")
        for name in ["config.json", "model.safetensors", "tokenizer.json", "optimizer.safetensors", "trainer_state.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent(name).path), name)
        }
        // into a new folder, and into the run's own folder (its later metrics lines are dropped and written again)
        let (b, second) = try run(flags + ["--output", resumed.path, "--resume", checkpoint.path])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(second?["resumed_from_step"] as? Int, 9)
        XCTAssertEqual(second?["steps"] as? Int, first?["steps"] as? Int)
        XCTAssertEqual(second?["eval_loss"] as? Double, first?["eval_loss"] as? Double)
        XCTAssertEqual(second?["eval_loss_before"] as? Double, first?["eval_loss_before"] as? Double, "the run's own, from the checkpoint")
        let weights = { (url: URL) in try Data(contentsOf: url.appendingPathComponent("model.safetensors")) }
        XCTAssertEqual(try weights(resumed), try weights(whole), "the same weights, bit for bit")
        let metrics = try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let (c, third) = try run(flags + ["--output", whole.path, "--resume", whole.appendingPathComponent("checkpoint-3").path])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(third?["eval_loss"] as? Double, first?["eval_loss"] as? Double)
        XCTAssertEqual(try String(contentsOf: whole.appendingPathComponent("metrics.jsonl"), encoding: .utf8), metrics)
        // another run's flags are refused, naming the difference
        let other = root.appendingPathComponent("other")
        let (d, _) = try run(flags + ["--batch", "5", "--output", other.path, "--resume", checkpoint.path])
        XCTAssertEqual(d.status, 2)
        XCTAssertTrue(d.stderr.contains("--batch was 4, now 5"), d.stderr)
        // a new run never writes into a folder that holds one, nor a resumed run into another run's folder
        for extra in [[], ["--resume", checkpoint.path]] {
            let (e, _) = try run(flags + ["--output", resumed.path] + extra)
            XCTAssertEqual(e.status, 2)
            XCTAssertTrue(e.stderr.contains("already holds a run"), e.stderr)
        }
    }

    func testAMalformedLineNamesItsFileAndLineAndWritesNothing() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("sft.jsonl"), output = root.appendingPathComponent("out")
        try slice(12, to: data, extra: "{\"prompt\": \"x\", \"response\": 3}\n")
        let (r, _) = try run(["--data", data.path, "--output", output.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("sft.jsonl:13"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "nothing written")
        let (skipped, result) = try run(["--data", data.path, "--output", output.path, "--skip-bad-lines", "--max-len", "64"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertEqual(result?["skipped_lines"] as? Int, 1)
        XCTAssertTrue(skipped.stderr.contains("skipped 1 malformed"), skipped.stderr)
    }
}
