import Foundation
import TestSupport
import XCTest

/// Bounded parsing, through the binary: input built to cost memory or time (deep or exploding YAML, huge
/// side files, a gzip bomb of blank lines, megabyte texts, thousands of repeated options) ends in one
/// line and status 2 within the bounds, or, where it is valid, succeeds within them.
final class BoundedInputTests: XCTestCase {
    private var h: HostileHarness!
    private static let stories = TestPaths.data("stories260K/stories260K.bin")
    private static let tok512 = TestPaths.data("stories260K/tok512.bin")
    private static let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")

    override func setUpWithError() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
        h = try HostileHarness(for: Self.self)
    }

    override func tearDownWithError() throws { h.tearDown() }

    private var output: String { h.scratch.appendingPathComponent("run").path }

    // Root cause: YAML nested 5,000 deep (a run config or a --set value) recursed the parser off its stack.
    func testDeepYAMLIsRefused() throws {
        for text in ["a: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
                     "a:\n" + String(repeating: "- ", count: 5000) + "1",
                     (0..<1000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + "\n" + String(repeating: " ", count: 1000) + "v: 1"] {
            let deep = try h.file("deep.yaml", text + "\n")
            try h.assertRefused(["ppo", "--config", deep.path, "--output", output], mentions: ["deep.yaml", "nested more than 64 deep"])
        }
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", output,
                             "--set", "x=" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)],
                            mentions: ["--set", "nested more than 64 deep"])
    }

    // Root cause: a 700-byte alias bomb expanded to 3 GB.
    func testAliasBombIsRefused() throws {
        var lines = [#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for n in 1..<10 { lines.append("a\(n): &a\(n) [" + Array(repeating: "*a\(n - 1)", count: 9).joined(separator: ",") + "]") }
        let bomb = try h.file("bomb.yaml", lines.joined(separator: "\n") + "\n")
        try h.assertRefused(["ppo", "--config", bomb.path, "--output", output], mentions: ["bomb.yaml", "100000 values"])
    }

    // Root cause: `--set a.a.a…=1` with 20,000 levels built a tree that deep.
    func testDeepSetKeyIsRefused() throws {
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", output,
                             "--set", Array(repeating: "a", count: 20_000).joined(separator: ".") + "=1"], mentions: ["--set", "nested"])
    }

    // Root cause: counts had no bound but 2^24, far past what memory holds.
    func testCountsAreBoundedByWhatTheyCost() throws {
        for key in ["batch_size", "data.eval_prompts", "roles.rollout", "roles.task_rows", "generation.max_new_tokens"] {
            try h.assertRefused(["ppo", "--config", Self.config.path, "--output", output, "--set", "\(key)=\(1 << 24)"], mentions: [key])
        }
        // within range but past the model: 600 new tokens do not fit stories260K's 512 positions
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", output, "--set", "generation.max_new_tokens=600"],
                            mentions: ["generation.max_new_tokens", "512 positions"])
    }

    // Root cause: side files were read whole, whatever their size.
    func testHugeSideFilesAreRefusedBeforeTheyAreRead() throws {
        let model = try h.copy(TestPaths.fixture("llama-tiny"), to: "model")
        try h.sparseFile(model.appendingPathComponent("config.json"), prefix: "{")
        try h.assertRefused(["score", "--model", model.path, "--ids", "1,2"], mentions: ["config.json", "4.0 GiB"])
        for name in ["tokenizer.json", "vocab.json", "merges.txt", "vocab.txt", "tokenizer_config.json"] {
            let folder = h.scratch.appendingPathComponent("tok-\(name)")
            if name == "vocab.json" || name == "merges.txt" {
                for other in ["vocab.json", "merges.txt"] { _ = try h.copy(TestPaths.data("gpt2/\(other)"), to: "tok-\(name)/\(other)") }
            }
            if name == "vocab.txt" || name == "tokenizer_config.json" { try h.file("tok-\(name)/vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhi\n") }
            try h.sparseFile(folder.appendingPathComponent(name), prefix: "{")
            try h.assertRefused(["tokenize", "--tokenizer", folder.path, "--text", "hi"], mentions: [name])
        }
        let config = try h.sparseFile(h.scratch.appendingPathComponent("run.yaml"), prefix: "seed: 1\n")
        try h.assertRefused(["ppo", "--config", config.path, "--output", output], mentions: ["run.yaml", "1 MiB"])
        let hosts = try h.sparseFile(h.scratch.appendingPathComponent("hosts.txt"), prefix: "localhost slots=4\n")
        try h.assertRefused(["launch", "--hostfile", hosts.path, "--config", Self.config.path, "--output", output], mentions: ["hosts.txt"])
    }

    // Root cause: texts were tokenized whole before any length limit (63 MB with --max-len 32: 24 s, 1.9 GB).
    func testMegabyteTextsAreCutBeforeTheyAreTokenized() throws {
        let huge = String(repeating: "once upon a time ", count: (63 << 20) / 17)  // 63 MiB
        let line = try JSONSerialization.data(withJSONObject: ["prompt": huge, "chosen": " yes", "rejected": " no"])
        let pairs = h.scratch.appendingPathComponent("long.jsonl")
        var data = line + Data("\n".utf8)
        for n in 0..<7 { data += Data(#"{"prompt": "Once \#(n)", "chosen": " happy", "rejected": " sad"}"#.utf8) + Data("\n".utf8) }
        try data.write(to: pairs)
        let dpo = try h.run(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", pairs.path, "--max-len", "32",
                             "--batch", "8", "--output", output])
        XCTAssertEqual(dpo.status, 0, dpo.stderr)
        XCTAssertLessThan(dpo.seconds, 10, "a hang guard: the run takes about 0.4 s (the memory bound catches the root cause)")
        XCTAssertLessThan(dpo.peakMegabytes ?? .infinity, 1500)
        let text = try h.file("long.txt", huge)
        try h.assertRefused(["score", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--text-file", text.path],
                            mentions: ["at least", "the model takes 512"], bounds: .big)
        try h.assertRefused(["generate", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--prompt-file", text.path],
                            mentions: ["at least", "the model takes 512"], bounds: .big)
    }

    // Root cause: a small .gz that inflates to 256 MB of blank lines took 28 s to fail.
    func testBlankLineBombFailsFast() throws {
        let bomb = h.scratch.appendingPathComponent("blank.jsonl.gz")
        let raw = h.scratch.appendingPathComponent("blank.jsonl")
        FileManager.default.createFile(atPath: raw.path, contents: nil)
        let handle = try FileHandle(forWritingTo: raw)
        let chunk = Data(repeating: 0x0A, count: 1 << 20)
        for _ in 0..<256 { try handle.write(contentsOf: chunk) }
        try handle.close()
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-9", raw.path]
        try gzip.run()
        gzip.waitUntilExit()
        try requireFile(FileManager.default.fileExists(atPath: bomb.path), "gzip did not write \(bomb.path)")
        try h.assertRefused(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", bomb.path, "--output", output],
                            mentions: ["blank.jsonl.gz", "blank lines in a row"])
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", output, "--set", "data.train=\(bomb.path)"],
                            mentions: ["blank.jsonl.gz", "blank lines in a row"])
    }

    // Root cause: option parsing was quadratic (20,000 repeated --set or --text took 27 s).
    func testRepeatedOptionsParseInLinearTime() throws {
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", output]
                            + Array(repeating: ["--set", "seed=1"], count: 20_000).flatMap { $0 } + ["--set", "nope=1"],
                            mentions: ["unknown key 'nope'"])
        try h.assertRefused(["score", "--model", Self.stories.path, "--tokenizer", Self.tok512.path]
                            + Array(repeating: ["--text", "x"], count: 20_000).flatMap { $0 }, mentions: ["--text is given 20000 times"])
        // an array option keeps every value, in order
        let lexicon = TestPaths.models.appendingPathComponent("vader").path
        let texts = (0..<5000).flatMap { ["--text", $0 % 2 == 0 ? "good" : "bad"] }
        let r = try h.run(["reward", "score", "--function", "vader", "--vader-lexicon", lexicon] + texts)
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 5000)
        XCTAssertEqual(Set(lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)), ["0.440400"])
        XCTAssertEqual(Set(lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)), ["-0.542300"])
        XCTAssertLessThan(r.seconds, 10, "a hang guard: linear parsing takes well under a second")
    }
}
