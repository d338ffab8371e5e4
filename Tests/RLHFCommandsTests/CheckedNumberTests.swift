import Foundation
import TestSupport
import XCTest

/// Checked numbers, through the binary: every config value and checkpoint field has a range checked
/// before anything is computed, losses, moments and weights are finite or the command stops writing
/// nothing, and the models of a run agree on their vocabulary.
final class CheckedNumberTests: XCTestCase {
    private var h: HostileHarness!
    private static let stories = TestPaths.data("stories260K/stories260K.bin")
    private static let tok512 = TestPaths.data("stories260K/tok512.bin")
    private static let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    private static let quick = ["iterations=1", "save_every=1", "eval_every=0", "batch_size=4", "mini_batch_size=2"].flatMap { ["--set", $0] }

    override func setUpWithError() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
        h = try HostileHarness(for: Self.self)
    }

    override func tearDownWithError() throws { h.tearDown() }

    /// A one-iteration PPO run with its checkpoint, for resume cases.
    private func ppoRun() throws -> URL {
        let run = h.scratch.appendingPathComponent("ppo-run")
        let r = try h.run(["ppo", "--config", Self.config.path, "--output", run.path] + Self.quick)
        XCTAssertEqual(r.status, 0, r.stderr)
        return run
    }

    private func checkpoint(of run: URL) throws -> URL {
        let root = run.appendingPathComponent("checkpoints")
        let last = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted().last)
        return root.appendingPathComponent(last)
    }

    /// Rewrites `state.json` of the run's checkpoint with `edit` applied.
    private func editState(_ run: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = try checkpoint(of: run).appendingPathComponent("state.json")
        var state = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&state)
        try JSONSerialization.data(withJSONObject: state).write(to: url)
    }

    private func resume(_ run: URL) -> [String] { ["ppo", "--config", Self.config.path, "--output", run.path, "--resume"] + Self.quick }

    // Root cause: a PPO checkpoint's fields had no range (Int.max trapped on --resume with an overflow).
    func testCheckpointFieldsOutOfRangeAreRefused() throws {
        let run = try ppoRun()
        for (field, value) in [("version", Int.max), ("prompt_position", Int.max), ("iteration", Int.max), ("iteration", -1)] as [(String, Any)] {
            let copy = try h.copy(run, to: "resume-\(field)")
            try editState(copy) { $0[field] = value }
            try h.assertRefused(resume(copy), mentions: ["state.json", field], untouched: [copy])
        }
        for steps in [[Int.max], [-1], [1 << 40]] {
            let copy = try h.copy(run, to: "resume-steps")
            try editState(copy) { $0["optimizer_steps"] = steps }
            try h.assertRefused(resume(copy), mentions: ["state.json", "optimizer_steps"], untouched: [copy])
        }
        // a resumed KL coefficient of -5
        let copy = try h.copy(run, to: "resume-kl")
        try editState(copy) { state in
            var kl = state["kl_controller"] as? [String: Any] ?? [:]
            kl["coefficient"] = -5
            state["kl_controller"] = kl
        }
        try h.assertRefused(resume(copy), mentions: ["kl_controller.coefficient"], untouched: [copy])
    }

    // Root cause: --resume accepted NaN or infinite optimizer moments.
    func testNonFiniteMomentsAreRefusedOnResume() throws {
        let run = try ppoRun()
        for value in [Float.nan, .infinity] {
            let copy = try h.copy(run, to: "resume-moments")
            try Self.setFloats(try checkpoint(of: copy).appendingPathComponent("optimizer.safetensors"), to: value)
            try h.assertRefused(resume(copy), mentions: ["optimizer.safetensors"], untouched: [copy])
        }
        let data = try h.file("sft.jsonl", (0..<16).map { #"{"prompt": "Once \#($0)", "response": " a cat."}"# }.joined(separator: "\n"))
        let sft = h.scratch.appendingPathComponent("sft-run")
        let trained = try h.run(["sft", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--batch", "8",
                                 "--save-every", "1", "--output", sft.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let step = sft.appendingPathComponent("checkpoint-2")
        try Self.setFloats(step.appendingPathComponent("optimizer.safetensors"), to: .nan)
        try h.assertRefused(["sft", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--batch", "8",
                             "--output", sft.path, "--resume", step.path], mentions: ["optimizer"], untouched: [sft])
    }

    /// Sets every float32 of a safetensors file to `value`.
    static func setFloats(_ url: URL, to value: Float) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        for at in stride(from: 8 + headerLength, to: bytes.count, by: 4) {
            for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32(i))) }
        }
        try Data(bytes).write(to: url)
    }

    // Root cause: a tokenizer id past the model's vocabulary trapped in Llama2cTokenizer.merge.
    func testTokenizerIdsStayInsideTheVocabulary() throws {
        let r = try h.run(["tokenize", "--tokenizer", Self.tok512.path, "--vocab-size", "10", "--text", "hello wörld"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let ids = r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertFalse(ids.isEmpty)
        XCTAssertTrue(ids.allSatisfy { (0..<10).contains($0) }, "\(ids)")
        // an HF model of vocabulary 100 under tok512.bin: its byte tokens past id 99 read as <unk>
        let small = try Self.llamaWithVocabulary(100, in: h)
        let scored = try h.run(["score", "--model", small.path, "--tokenizer", Self.tok512.path, "--text", "hello wörld"])
        XCTAssertEqual(scored.status, 0, scored.stderr)
    }

    /// llama-tiny with its embedding cut to `vocabulary` rows.
    static func llamaWithVocabulary(_ vocabulary: Int, in h: HostileHarness) throws -> URL {
        let folder = try h.copy(TestPaths.fixture("llama-tiny"), to: "llama-vocab\(vocabulary)")
        let configURL = folder.appendingPathComponent("config.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        let rows = try XCTUnwrap(config["vocab_size"] as? Int)
        config["vocab_size"] = vocabulary
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        let weights = folder.appendingPathComponent("model.safetensors")
        let bytes = [UInt8](try Data(contentsOf: weights))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        var out: [String: Any] = [:], blobs = Data(), offset = 0
        for name in header.keys.sorted() where name != "__metadata__" {
            var info = try XCTUnwrap(header[name] as? [String: Any])
            var shape = try XCTUnwrap(info["shape"] as? [Int])
            let offsets = try XCTUnwrap(info["data_offsets"] as? [Int])
            var blob = Data(bytes[(8 + headerLength + offsets[0])..<(8 + headerLength + offsets[1])])
            if shape.first == rows {
                blob = blob.prefix(blob.count / rows * vocabulary)
                shape[0] = vocabulary
            }
            info["shape"] = shape
            info["data_offsets"] = [offset, offset + blob.count]
            out[name] = info
            blobs += blob
            offset += blob.count
        }
        let text = try JSONSerialization.data(withJSONObject: out)
        var file = Data((0..<8).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) })
        file += text + blobs
        try file.write(to: weights)
        return folder
    }

    // Root cause: dpo --eval-fraction 0 printed "loss nan → nan" and exited 0.
    func testDPOWithoutHeldOutPairsPrintsNoNaN() throws {
        let data = try h.file("pairs.jsonl", (0..<16).map { #"{"prompt": "Once \#($0)", "chosen": " happy", "rejected": " sad"}"# }
            .joined(separator: "\n"))
        let r = try h.run(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--eval-fraction", "0",
                           "--batch", "8", "--output", h.scratch.appendingPathComponent("out").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.lowercased().contains("nan"), r.stdout)
        XCTAssertTrue(r.stdout.contains("no held-out pairs"), r.stdout)
    }

    // Root cause: a non-finite loss was not guarded in dpo (it wrote a NaN model); the same guard now holds
    // in every trainer's step.
    func testNonFiniteLossStopsEveryTrainerWritingNothing() throws {
        let huge = try Self.llamaWithVocabulary(512, in: h)  // tok512's vocabulary
        try OutputRuleTests.scale(huge.appendingPathComponent("model.safetensors"), by: 1e30)
        let pairs = try h.file("pairs.jsonl", (0..<16).map { #"{"prompt": "Once \#($0)", "chosen": " happy", "rejected": " sad"}"# }
            .joined(separator: "\n"))
        let sft = try h.file("sft.jsonl", (0..<16).map { #"{"prompt": "Once \#($0)", "response": " a cat."}"# }.joined(separator: "\n"))
        let out = h.scratch.appendingPathComponent("out")
        for command in [["dpo", "--data", pairs.path], ["sft", "--data", sft.path], ["reward", "train", "--data", pairs.path]] {
            try h.assertRefused(command + ["--model", huge.path, "--tokenizer", Self.tok512.path, "--batch", "8", "--output", out.path],
                                mentions: ["not a finite number"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "\(command[0]) wrote \(out.path)")
        }
    }

    // Root cause: lora merge wrote NaN or infinite weights.
    func testLoRAMergeOfAnOverflowingAdapterWritesNothing() throws {
        let pairs = try h.file("pairs.jsonl", (0..<16).map { #"{"prompt": "Once \#($0)", "chosen": " happy", "rejected": " sad"}"# }
            .joined(separator: "\n"))
        let adapter = h.scratch.appendingPathComponent("adapter")
        let trained = try h.run(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", pairs.path, "--lora-rank", "2",
                                 "--batch", "8", "--output", adapter.path])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        try Self.setFloats(adapter.appendingPathComponent("adapter_model.safetensors"), to: 1e30)
        let out = h.scratch.appendingPathComponent("merged")
        try h.assertRefused(["lora", "merge", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--adapter", adapter.path,
                             "--output", out.path], mentions: ["NaN or infinity"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    // Root cause: ppo accepted learning_rate 1e308 and no_eos_penalty 1e308 (and wrote a NaN checkpoint).
    func testConfigNumbersOutOfRangeAreRefused() throws {
        let out = h.scratch.appendingPathComponent("run").path
        for (key, value) in [("learning_rate", "1e308"), ("no_eos_penalty", "1e308"), ("init_kl_coef", "1e308"), ("cliprange", "1e308"),
                             ("vf_coef", "1e308"), ("max_grad_norm", "1e308"), ("generation.temperature", "1e-30"), ("lora.alpha", "1e308"),
                             ("horizon", "1e308")] {
            var sets = ["--set", "\(key)=\(value)"]
            if key.hasPrefix("lora.") { sets += ["--set", "lora.rank=2"] }
            try h.assertRefused(["ppo", "--config", Self.config.path, "--output", out] + sets, mentions: [key])
        }
    }

    // Root cause: ppo accepted a reference of another vocabulary and an unknown chat_template.
    func testModelsOfARunAgree() throws {
        let out = h.scratch.appendingPathComponent("run").path
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", out, "--set", "reference.model=\(TestPaths.fixture("llama-tiny").path)"]
                            + Self.quick, mentions: ["reference.model", "vocabulary"])
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", out, "--set", "policy.chat_template=nope"],
                            mentions: ["policy.chat_template", "'nope'"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a failed new run leaves no folder")
    }
}
