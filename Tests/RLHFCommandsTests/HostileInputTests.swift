import Foundation
import TestSupport
import XCTest

/// The `rlhf` binary against a hostile user: every bad input is one `error:` line on standard error and
/// status 2, within two seconds and 400 MB, and no user file is ever lost.
final class HostileInputTests: XCTestCase {
    private var harness: HostileHarness!
    private var scratch: URL { harness.scratch }

    override func setUpWithError() throws { harness = try HostileHarness(for: Self.self) }

    override func tearDownWithError() throws { harness.tearDown() }

    private static let stories = TestPaths.data("stories260K/stories260K.bin")
    private static let tok512 = TestPaths.data("stories260K/tok512.bin")
    private static let gpt2Tiny = TestPaths.fixture("gpt2-tiny")

    private func run(_ arguments: [String], in directory: URL? = nil, stdout: FileHandle? = nil) throws -> RLHFBinary.Run {
        try harness.run(arguments, in: directory, stdout: stdout)
    }

    /// A folder of user files and a copy of the stories260K model; returns the folder and its files' bytes.
    private func userFolder() throws -> (URL, [String: String]) {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
        let folder = try harness.userFolder("work")
        try FileManager.default.copyItem(at: Self.stories, to: folder.appendingPathComponent("model.bin"))
        return (folder, try contents(of: folder))
    }

    private func contents(of folder: URL) throws -> [String: String] { try harness.snapshot(folder) }

    // MARK: data loss

    func testConvertToEmptyPathDeletesNothing() throws {
        let (folder, before) = try userFolder()
        try harness.assertRefused(["convert", "--from", "model.bin", "--no-tokenizer", "--to", ""], in: folder, mentions: ["--to"])
        XCTAssertEqual(try contents(of: folder), before)
    }

    func testConvertForceIntoTheFolderHoldingTheInputDeletesNothing() throws {
        let (folder, before) = try userFolder()
        try harness.assertRefused(["convert", "--from", "model.bin", "--no-tokenizer", "--to", ".", "--force"], in: folder,
                          mentions: ["--to", "model.bin"])
        try harness.assertRefused(["convert", "--from", folder.appendingPathComponent("model.bin").path, "--no-tokenizer",
                           "--to", folder.path, "--force"], in: scratch, mentions: [folder.path])
        XCTAssertEqual(try contents(of: folder), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { !$0.hasPrefix(".time-") }, ["work"])
    }

    // MARK: sizes

    /// A llama2.c file with this header and no weights.
    private func llama2cHeader(_ fields: [Int32]) throws -> URL {
        var data = Data()
        for v in fields { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        let url = scratch.appendingPathComponent("hostile.bin")
        try data.write(to: url)
        return url
    }

    func testAbsurdSizesInFilesAndFlags() throws {
        let hugeHeader = try llama2cHeader([1 << 24, 1 << 24, 4096, 2, 2, 1 << 24, 1 << 24])
        try harness.assertRefused(["score", "--model", hugeHeader.path, "--ids", "1,2"], mentions: [hugeHeader.path])
        let config = scratch.appendingPathComponent("huge-config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try Data(#"{"model_type": "gpt2", "vocab_size": 1000000000000, "n_positions": 8, "n_layer": 1, "n_embd": 8, "n_head": 2}"#.utf8)
            .write(to: config.appendingPathComponent("config.json"))
        try harness.assertRefused(["score", "--model", config.path, "--ids", "1,2"], mentions: ["vocab_size"])
        try harness.assertRefused(["generate", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--prompt", "hi",
                           "--max-new-tokens", "99999999999"], mentions: ["--max-new-tokens"])
        try harness.assertRefused(["tokenize", "--tokenizer", Self.tok512.path, "--vocab-size", "1000000000000", "--text", "hi"],
                          mentions: ["--vocab-size"])
        try harness.assertRefused(["bench", "forward", "--model", "gpt2-tiny", "--batch", "100000000000"], mentions: ["--batch"])
        try harness.assertRefused(["bench", "generate", "--model", "gpt2-tiny", "--prompt-len", "9223372036854775807", "--new-tokens", "9"],
                          mentions: ["--prompt-len"])
    }

    func testContextLengthErrorCountsTokens() throws {
        let ids = (0..<1500).map { _ in "1" }.joined(separator: ",")
        try harness.assertRefused(["score", "--model", Self.gpt2Tiny.path, "--ids", ids], mentions: ["is 1500 tokens; the model takes"])
    }

    // MARK: integers

    func testIntegersThatDoNotFitInt32AreRefused() throws {
        // 4294967297 would truncate to the valid id 1
        try harness.assertRefused(["score", "--model", Self.gpt2Tiny.path, "--ids", "1,4294967297"], mentions: ["--ids"])
        try harness.assertRefused(["score", "--model", Self.gpt2Tiny.path, "--ids", "1,2", "--position-ids", "0,4294967297"],
                          mentions: ["--position-ids"])
    }

    // MARK: non-finite numbers

    func testNaNWeightIsAnErrorNamingTheTensor() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
        var bytes = [UInt8](try Data(contentsOf: Self.stories))
        let nan = Float.nan.bitPattern
        for i in 0..<4 { bytes[28 + 4 * 5 + i] = UInt8(truncatingIfNeeded: nan >> (8 * UInt32(i))) }  // the embedding's 6th float
        let url = scratch.appendingPathComponent("nan.bin")
        try Data(bytes).write(to: url)
        try harness.assertRefused(["generate", "--model", url.path, "--tokenizer", Self.tok512.path, "--prompt", "hi", "--greedy"],
                          mentions: ["token_embedding_table", "nan"])
    }

    // MARK: output failures

    func testFullDiskAndClosedPipeAreErrors() throws {
        let full = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        try harness.assertRefused(["score", "--model", Self.gpt2Tiny.path, "--ids", "1,2"], stdout: full, mentions: ["standard output"])
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        try harness.assertRefused(["score", "--model", Self.gpt2Tiny.path, "--ids", "1,2"], stdout: pipe.fileHandleForWriting,
                          mentions: ["standard output"])
    }

    // MARK: messages

    func testNewlineInAPathIsEscapedAndWhole() throws {
        let message = try harness.assertRefused(["score", "--model", "/nonexistent/first\nsecond", "--ids", "1,2"])
        XCTAssertTrue(message.contains("/nonexistent/first\\nsecond"), message)
    }

    func testPermissionProblemSaysPermissionDenied() throws {
        if getuid() != 0 {
            let model = scratch.appendingPathComponent("locked.bin")
            try FileManager.default.copyItem(at: Self.stories, to: model)
            chmod(model.path, 0)
            try harness.assertRefused(["score", "--model", model.path, "--ids", "1,2"], mentions: ["permission denied"])
        } else {
            // root reads every file; /sys refuses new folders even to root
            try harness.assertRefused(["convert", "--from", Self.stories.path, "--no-tokenizer", "--to", "/sys/rlhf-hostile-test"],
                              mentions: ["permission denied"])
        }
    }

    func testNamesTheRightFlag() throws {
        try harness.assertRefused(["score", "--model", Self.gpt2Tiny.path, "--ids", "1,2", "--text-file", "x"], mentions: ["--text-file"])
        try harness.assertRefused(["tokenize", "--tokenizer", Self.tok512.path, "--text-file", scratch.appendingPathComponent("none").path],
                          mentions: ["--text-file", "no such file"])
    }

    // MARK: traps

    func testNoCrashWhereTheCodeUsedToTrap() throws {
        // a tokenizer-less model for generate (was bundle.tokenizer!), and an id list past the positions
        try harness.assertRefused(["generate", "--model", Self.gpt2Tiny.path, "--prompt", "hi"], mentions: ["tokenizer"])
        try harness.assertRefused(["bench", "generate", "--model", "gpt2-tiny", "--prompt-len", "1", "--new-tokens", "9223372036854775807"],
                          mentions: ["--new-tokens"])
    }

    // MARK: conveniences

    func testNoSubcommandPrintsHelpWithStatusTwo() throws {
        let outcome = try run([])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("SUBCOMMANDS"), outcome.stderr)
    }

    func testPromptFileGivesOneJSONObjectPerLine() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
        let prompts = scratch.appendingPathComponent("prompts.jsonl")
        try Data(#"{"prompt": "Once upon"}"#.appending("\n").appending(#"{"prompt": "A dog"}"#).utf8).write(to: prompts)
        let outcome = try run(["generate", "--model", Self.stories.path, "--tokenizer", Self.tok512.path, "--prompt-file", prompts.path,
                               "--greedy", "--max-new-tokens", "4", "--json", "--temperature", "0.5"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let lines = outcome.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        for line in lines { XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) }
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1)
        XCTAssertTrue(outcome.stderr.hasPrefix("warning: --temperature"), outcome.stderr)
    }

    func testTextFileMatchesText() throws {
        let gpt2 = TestPaths.data("gpt2")
        let text = scratch.appendingPathComponent("text.txt")
        try Data("Hello world".utf8).write(to: text)
        let fromFile = try run(["tokenize", "--tokenizer", gpt2.path, "--text-file", text.path])
        let fromFlag = try run(["tokenize", "--tokenizer", gpt2.path, "--text", "Hello world"])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertEqual(fromFile.stdout, fromFlag.stdout)
        XCTAssertEqual(fromFile.stdout, "15496 995\n")
    }
}
