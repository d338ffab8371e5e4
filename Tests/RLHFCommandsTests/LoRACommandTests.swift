import Foundation
import TestSupport
import XCTest

/// LoRA from the command line on stories260K: `rlhf sft --lora-rank` lowers the held-out loss and writes
/// only an adapter in PEFT's layout; `rlhf score --adapter` and the folder `rlhf lora merge` writes give
/// the same log-probs; `rlhf generate --adapter` runs; `rlhf dpo --lora-rank` learns the held-out
/// preference against the frozen base; a malformed adapter_config.json stops with exit 2 and one line
/// naming the file and the key.
final class LoRACommandTests: XCTestCase {
    let model = TestPaths.data("stories260K/stories260K.bin"), tokenizer = TestPaths.data("stories260K/tok512.bin")
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }

    func folder() throws -> URL {
        let url = temporaryPath("lora")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Story prompts with their continuations, `count` of them.
    func stories(_ count: Int, to url: URL) throws {
        let names = ["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Sam", "Amy", "Tim", "Zoe", "Jack", "Anna"]
        let things = ["ball", "cat", "kite", "dog", "cake"]
        let lines = (0..<count).map { i -> String in
            let name = names[i % names.count], thing = things[i % things.count]
            let object = ["prompt": "Once upon a time, \(name) had a \(thing).", "response": " \(name) loved the \(thing) very much. The \(thing) was red."]
            return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    func json(_ run: RLHFBinary.Run) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout + run.stderr)
    }

    func logprobs(_ arguments: [String]) throws -> [Double] {
        let r = try RLHFBinary.run(binary, ["score", "--text", "Once upon a time, Lily had a kite.", "--json"] + arguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(try json(r)["logprobs"] as? [Double])
    }

    func testSFTTrainsAnAdapterThatScoresAsItsMergedModel() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("stories.jsonl"), output = root.appendingPathComponent("adapter")
        try stories(40, to: data)
        let r = try RLHFBinary.run(binary, ["sft", "--model", model.path, "--tokenizer", tokenizer.path, "--data", data.path,
                                            "--eval-fraction", "0.25", "--epochs", "3", "--lr", "1e-2", "--batch", "6",
                                            "--lora-rank", "4", "--lora-targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
                                            "--output", output.path, "--json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let result = try json(r)
        let before = try XCTUnwrap(result["eval_loss_before"] as? Double), after = try XCTUnwrap(result["eval_loss"] as? Double)
        XCTAssertLessThan(after, before - 0.1, "held-out loss \(before) → \(after)")
        let written = try FileManager.default.contentsOfDirectory(atPath: output.path)
        for name in ["adapter_config.json", "adapter_model.safetensors", "metrics.jsonl", "tokenizer.json"] {
            XCTAssertTrue(written.contains(name), "\(name) in \(written)")
        }
        XCTAssertFalse(written.contains("model.safetensors"), "only the adapter is written")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("adapter_config.json"))) as? [String: Any])
        XCTAssertEqual(config["peft_type"] as? String, "LORA")
        XCTAssertEqual(config["r"] as? Int, 4)
        XCTAssertEqual(config["lora_alpha"] as? Double, 8)
        XCTAssertEqual(config["task_type"] as? String, "CAUSAL_LM")

        let modelFlags = ["--model", model.path, "--tokenizer", tokenizer.path]
        let base = try logprobs(modelFlags)
        let adapted = try logprobs(modelFlags + ["--adapter", output.path])
        let merged = root.appendingPathComponent("merged")
        let m = try RLHFBinary.run(binary, ["lora", "merge"] + modelFlags + ["--adapter", output.path, "--output", merged.path])
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: merged.appendingPathComponent("tokenizer.json").path))
        let fromMerged = try logprobs(["--model", merged.path])
        XCTAssertEqual(adapted.count, base.count)
        XCTAssertEqual(fromMerged.count, adapted.count)
        XCTAssertLessThan(zip(adapted, fromMerged).map { abs($0 - $1) }.max() ?? 1, 1e-4, "merged folder vs --adapter")
        XCTAssertGreaterThan(zip(adapted, base).map { abs($0 - $1) }.max() ?? 0, 1e-2, "the adapter moved the model")

        let g = try RLHFBinary.run(binary, ["generate"] + modelFlags + ["--adapter", output.path, "--prompt", "Once upon a time,",
                                                                         "--max-new-tokens", "8", "--greedy"])
        XCTAssertEqual(g.status, 0, g.stderr)

        // a malformed adapter_config.json: exit 2, one line naming the file and the key
        let configURL = output.appendingPathComponent("adapter_config.json")
        var fields = config
        fields["use_dora"] = true
        try JSONSerialization.data(withJSONObject: fields).write(to: configURL)
        for (key, arguments) in [("use_dora", ["score"] + modelFlags + ["--adapter", output.path, "--ids", "1,2,3"]),
                                 ("use_dora", ["lora", "merge"] + modelFlags + ["--adapter", output.path, "--output", root.appendingPathComponent("m2").path])] {
            let bad = try RLHFBinary.run(binary, arguments)
            XCTAssertEqual(bad.status, 2, bad.stderr)
            let lines = bad.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, bad.stderr)
            XCTAssertTrue(bad.stderr.contains("adapter_config.json") && bad.stderr.contains("'\(key)'"), bad.stderr)
        }
        fields = config
        fields.removeValue(forKey: "r")
        try JSONSerialization.data(withJSONObject: fields).write(to: configURL)
        let missing = try RLHFBinary.run(binary, ["score"] + modelFlags + ["--adapter", output.path, "--ids", "1,2,3"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("adapter_config.json: required field 'r' is missing"), missing.stderr)
    }

    func testDPOWithLoRALearnsAgainstTheFrozenBase() throws {
        try requireFile(FileManager.default.fileExists(atPath: model.path), "missing \(model.path)")
        let root = try folder()
        defer { try? FileManager.default.removeItem(at: root) }
        let names = ["Tom", "Lily", "Ben", "Sue", "Max", "Mia", "Sam", "Amy", "Tim", "Zoe", "Jack", "Anna"]
        let lines = names.map { name in
            String(decoding: try! JSONSerialization.data(withJSONObject: ["prompt": "Once upon a time, \(name) went to the park.",
                                                                          "chosen": " \(name) was very happy and smiled.",
                                                                          "rejected": " \(name) was very sad and cried."],
                                                         options: [.sortedKeys]), as: UTF8.self)
        }
        let data = root.appendingPathComponent("pairs.jsonl"), output = root.appendingPathComponent("out")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let r = try RLHFBinary.run(binary, ["dpo", "--model", model.path, "--tokenizer", tokenizer.path, "--data", data.path,
                                            "--eval-fraction", "0.25", "--epochs", "4", "--lr", "2e-2", "--batch", "3", "--beta", "0.5",
                                            "--lora-rank", "8", "--lora-targets", "q_proj,v_proj,o_proj,down_proj",
                                            "--output", output.path, "--json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let result = try json(r)
        XCTAssertEqual(try XCTUnwrap(result["eval_loss_before"] as? Double), log(2), accuracy: 1e-12, "a new adapter: the policy is its reference")
        XCTAssertLessThan(try XCTUnwrap(result["eval_loss"] as? Double), log(2) - 0.05)
        XCTAssertEqual(result["eval_accuracy"] as? Double, 1)
        let written = try FileManager.default.contentsOfDirectory(atPath: output.path)
        XCTAssertTrue(written.contains("adapter_model.safetensors") && written.contains("adapter_config.json"), "\(written)")
        XCTAssertFalse(written.contains("model.safetensors"))
    }

    func testLoRAFlagsAreChecked() throws {
        for (arguments, message) in [(["--lora-alpha", "4"], "--lora-alpha and --lora-targets need --lora-rank"),
                                     (["--lora-rank", "0"], "--lora-rank must be between 1 and 4096"),
                                     (["--lora-rank", "2", "--lora-targets", "c_attn"], "LoRA target c_attn is not a llama projection")] {
            let r = try RLHFBinary.run(binary, ["sft", "--model", model.path, "--tokenizer", tokenizer.path, "--data", "/nonexistent.jsonl",
                                                "--output", temporaryPath("lora").path] + arguments)
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(message), r.stderr)
        }
    }
}
