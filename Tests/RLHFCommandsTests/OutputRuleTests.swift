import Foundation
import TestSupport
import XCTest

/// The one output rule, through the binary: no command replaces or writes into a folder of the user's, a
/// folder holding one of its inputs, or a special file; a command may rewrite what it wrote before;
/// `--force` replaces a foreign folder but never one that holds an input; errors name the flag typed.
final class OutputRuleTests: XCTestCase {
    private var h: HostileHarness!
    private static let stories = TestPaths.data("stories260K/stories260K.bin")
    private static let tok512 = TestPaths.data("stories260K/tok512.bin")

    override func setUpWithError() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
        h = try HostileHarness(for: Self.self)
    }

    override func tearDownWithError() throws { h.tearDown() }

    /// Sixteen preference pairs.
    private func pairs() throws -> URL {
        try h.file("pairs.jsonl", (0..<16).map { #"{"prompt": "Once upon a time \#($0)", "chosen": " a happy cat", "rejected": " sad"}"# }
            .joined(separator: "\n") + "\n")
    }

    /// stories260K as a Hugging Face folder (what `reward train` starts from).
    private func storiesFolder() throws -> URL {
        let folder = h.scratch.appendingPathComponent("stories-hf")
        let r = try h.run(["convert", "--from", Self.stories.path, "--tokenizer", Self.tok512.path, "--to", folder.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return folder
    }

    // Root cause: trainers replaced a folder they did not create (reward train and dpo deleted it, exit 0).
    func testTrainersRefuseAFolderOfTheUsers() throws {
        let user = try h.userFolder()
        let data = try pairs(), hf = try storiesFolder()
        try h.assertRefused(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--output", user.path],
                            mentions: ["--output", "--force"], untouched: [user])
        try h.assertRefused(["reward", "train", "--model", hf.path, "--data", data.path, "--output", user.path],
                            mentions: ["--output", "--force"], untouched: [user])
        try h.assertRefused(["sft", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--output", user.path],
                            mentions: ["--output"], untouched: [user])
        try h.assertRefused(["convert", "--from", Self.stories.path, "--no-tokenizer", "--to", user.path], mentions: ["--to"], untouched: [user])
        try h.assertRefused(["ppo", "--config", Self.config.path, "--output", user.path], mentions: ["--output"], untouched: [user])
        try h.assertRefused(["launch", "--hostfile", TestPaths.packageRoot.appendingPathComponent("cluster/hosts-localhost.txt").path,
                             "--config", Self.config.path, "--output", user.path], mentions: ["--output"], untouched: [user])
        // a file where a folder goes is refused by the flag's name, not replaced
        let notes = user.appendingPathComponent("notes.txt")
        try h.assertRefused(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--output", notes.path],
                            mentions: ["--output", "a file"], untouched: [user])
    }

    static let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")

    // Root cause: inputs that lie inside --output were not all protected (dpo --tokenizer, lora merge).
    func testForceNeverReplacesAFolderHoldingAnInput() throws {
        let data = try pairs()
        let holder = h.scratch.appendingPathComponent("out")
        let tokenizer = try h.copy(Self.tok512, to: "out/tok512.bin")
        try h.assertRefused(["dpo", "--model", Self.stories.path, "--tokenizer", tokenizer.path, "--data", data.path, "--output", holder.path,
                             "--force"], mentions: ["--output", "--tokenizer"], untouched: [holder])
        let adapter = try trainedAdapter(data)
        try h.assertRefused(["lora", "merge", "--model", Self.stories.path, "--tokenizer", tokenizer.path, "--adapter", adapter.path,
                             "--output", holder.path, "--force"], mentions: ["--output", "--tokenizer"], untouched: [holder])
        let inside = try h.copy(adapter, to: "out/adapter")
        try h.assertRefused(["lora", "merge", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--adapter", inside.path,
                             "--output", holder.path, "--force"], mentions: ["--output", "--adapter"], untouched: [holder])
        // an input reached through a config key counts too
        let configCopy = try h.copy(Self.config, to: "out/run.yaml")
        try h.assertRefused(["ppo", "--config", configCopy.path, "--output", holder.path, "--force"], mentions: ["--output", "--config"],
                            untouched: [holder])
        // and the folder the command runs in
        try h.assertRefused(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--output", ".",
                             "--force"], in: holder, mentions: ["--output", "current folder"], untouched: [holder])
    }

    /// A LoRA adapter of stories260K trained by `rlhf dpo`.
    private func trainedAdapter(_ data: URL) throws -> URL {
        let adapter = h.scratch.appendingPathComponent("adapter")
        let r = try h.run(["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--lora-rank", "2",
                           "--batch", "8", "--output", adapter.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return adapter
    }

    // Root cause: pairs --output could name its own adapter's file (it listed its inputs by hand).
    func testPairsNeverOverwritesAnInputFile() throws {
        let adapter = try trainedAdapter(try pairs())
        let prompts = try h.file("prompts.txt", "Once upon a time\nThe dog\n")
        let base = ["pairs", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--prompts", prompts.path, "--labeler", "none",
                    "--max-new-tokens", "4"]
        try h.assertRefused(base + ["--adapter", adapter.path, "--output", adapter.appendingPathComponent("adapter_config.json").path],
                            mentions: ["--output", "--adapter"], untouched: [adapter])
        try h.assertRefused(base + ["--output", prompts.path], mentions: ["--output", "--prompts"], untouched: [prompts])
    }

    // Root cause: a file output replaced whatever was at its path (a FIFO, a device: /dev/full as root).
    func testFileOutputsAreOnlyRegularFiles() throws {
        let prompts = try h.file("prompts.txt", "Once upon a time\n")
        let specials = h.scratch.appendingPathComponent("specials")
        try FileManager.default.createDirectory(at: specials, withIntermediateDirectories: true)
        let fifo = specials.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        var targets = [fifo]
        if getuid() == 0 {  // a node like /dev/full, made here so nothing real is at stake
            let device = specials.appendingPathComponent("full")
            XCTAssertEqual(mknod(device.path, S_IFCHR | 0o666, makedev(1, 7)), 0)
            targets.append(device)
        }
        let link = specials.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: fifo)
        targets.append(link)
        for target in targets {
            try h.assertRefused(["pairs", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--prompts", prompts.path,
                                 "--labeler", "none", "--max-new-tokens", "4", "--output", target.path],
                                mentions: ["--output", "not a regular file"], untouched: [specials])
        }
    }

    /// `makedev` for Linux's device numbers.
    private func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t { dev_t((major << 8) | minor) }

    // What the rule allows: a command rewrites its own folder, --force replaces a foreign one, nothing is left aside.
    func testACommandRewritesItsOwnFolderAndForceReplacesAForeignOne() throws {
        let data = try pairs()
        let output = h.scratch.appendingPathComponent("policy")
        let dpo = ["dpo", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--batch", "8",
                   "--output", output.path]
        for _ in 0..<2 {
            let r = try h.run(dpo)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent(".rlhf-output.json").path))
        // another command does not take it over
        try h.assertRefused(["lora", "merge", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--adapter", output.path,
                             "--output", output.path], mentions: ["--output"], untouched: [output])
        let user = try h.userFolder()
        let forced = try h.run(dpo.dropLast() + [user.path, "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: user.appendingPathComponent("notes.txt").path), "--force replaced it")
        XCTAssertTrue(FileManager.default.fileExists(atPath: user.appendingPathComponent("model.safetensors").path))
        XCTAssertEqual(try h.leftovers(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: h.scratch.path).filter { $0.contains(".partial-") }, [])
    }

    // A new run that fails takes back the folder it made (no half run left to trip the next one).
    func testAFailedRunLeavesNoFolder() throws {
        let huge = try CheckedNumberTests.llamaWithVocabulary(512, in: h)  // tok512's vocabulary
        try Self.scale(huge.appendingPathComponent("model.safetensors"), by: 1e30)
        let data = try h.file("sft.jsonl", (0..<8).map { #"{"prompt": "Once \#($0)", "response": " a cat."}"# }.joined(separator: "\n"))
        let output = h.scratch.appendingPathComponent("run")
        try h.assertRefused(["sft", "--model", huge.path, "--tokenizer", Self.tok512.path, "--data", data.path, "--batch", "8",
                             "--output", output.path], mentions: ["not a finite number"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
    }

    /// Multiplies every float32 tensor of a safetensors file by `factor`.
    static func scale(_ url: URL, by factor: Float) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        for case let (_, info as [String: Any]) in header where info["dtype"] as? String == "F32" {
            let offsets = try XCTUnwrap(info["data_offsets"] as? [Int])
            for at in stride(from: 8 + headerLength + offsets[0], to: 8 + headerLength + offsets[1], by: 4) {
                let bits = bytes[at..<(at + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                let scaled = (Float(bitPattern: bits) * factor).bitPattern
                for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: scaled >> (8 * UInt32(i))) }
            }
        }
        try Data(bytes).write(to: url)
    }
}
