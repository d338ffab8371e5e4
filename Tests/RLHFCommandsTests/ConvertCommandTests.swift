import ArgumentParser
import Foundation
import ModelIO
import Models
@testable import RLHFCommands
import TestSupport
import XCTest

/// `rlhf convert` through its command-line code path: each source format converted into a temporary
/// folder, read back, and compared with the source (same parameters bit for bit, same tokenizer output);
/// bad input refused with one line naming the path.
final class ConvertCommandTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = temporaryPath("convert-tests")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    private static let stories = TestPaths.data("stories260K/stories260K.bin")
    private static let tok512 = TestPaths.data("stories260K/tok512.bin")
    private static let filesWithTokenizer = ["config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json",
                                             "tokenizer_config.json"]

    /// Parses `arguments` as the root command does (validation included) and runs the subcommand.
    private func convert(_ arguments: [String]) async throws {
        var command = try RLHFCommand.parseAsRoot(["convert"] + arguments)
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    /// Runs `rlhf convert arguments` through the binary, which must refuse them (`assertRefused`).
    private func assertConvertRefused(_ arguments: [String], mentions: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), ["convert"] + arguments)
        assertRefused(run, mentioning: mentions, "convert \(arguments)", file: file, line: line)
    }

    private func require(_ url: URL) throws {
        try requireFile(FileManager.default.fileExists(atPath: url.path), "missing \(url.path); run `make models` or set RLHF_SHARED")
    }

    /// The files of `folder` a user sees: its marker, which every folder `convert` writes holds, is left out
    /// (and checked to be there, naming the command).
    private func files(in folder: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        if names.contains(where: { !$0.hasPrefix(".") && ["config.json", "model.safetensors"].contains($0) }) {
            let marker = try String(contentsOf: folder.appendingPathComponent(".rlhf-output.json"), encoding: .utf8)
            XCTAssertTrue(marker.contains("\"command\": \"convert\""), marker)
        }
        return names.filter { $0 != ".rlhf-output.json" }
    }

    private func fixtureCases() throws -> [String: [TokenizerCase]] {
        try JSONDecoder().decode([String: [TokenizerCase]].self, from: Data(contentsOf: TestPaths.fixture("tokenizers.json")))
    }

    func testSmolLM2GGUF() async throws {
        try require(TestPaths.smolLM2GGUF)
        let out = scratch.appendingPathComponent("smollm2")
        try await convert(["--from", TestPaths.smolLM2GGUF.path, "--to", out.path])
        XCTAssertEqual(try files(in: out), Self.filesWithTokenizer)
        XCTAssertEqual(try files(in: scratch), ["smollm2"], "no staging folder left behind")

        let source = try GGUFModel.load(url: TestPaths.smolLM2GGUF)
        let (config, parameters) = try HFCheckpoint.load(directory: out)
        XCTAssertEqual(config, source.config)
        XCTAssertEqual(config.bosTokenID, 1)
        XCTAssertEqual(config.eosTokenIDs, [2])
        assertSameParameters(parameters, source.parameters)

        let tokenizer = try TokenizerLoader.load(from: out)
        let cases = try XCTUnwrap(try fixtureCases()["smollm2"])
        XCTAssertFalse(cases.isEmpty)
        for fixture in cases {
            XCTAssertEqual(tokenizer.encode(fixture.text, addSpecialTokens: true), fixture.ids, fixture.text.debugDescription)
            XCTAssertEqual(tokenizer.decode(fixture.ids, skipSpecialTokens: false), fixture.decoded ?? fixture.text, fixture.text.debugDescription)
        }
        XCTAssertEqual([tokenizer.bosTokenID, tokenizer.eosTokenID, tokenizer.padTokenID, tokenizer.unknownTokenID], [1, 2, 2, 0])
        let metadata = try GGUFTokenizerMetadata(file: source.file)
        let tokenizerConfig = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("tokenizer_config.json"))) as? [String: Any]
        XCTAssertEqual(tokenizerConfig?["chat_template"] as? String, try XCTUnwrap(metadata.chatTemplate))
    }

    func testLlamaTinyFolder() async throws {
        let fixture = TestPaths.fixture("llama-tiny")
        try require(fixture)
        let out = scratch.appendingPathComponent("llama-tiny")
        try await convert(["--from", fixture.path, "--to", out.path])
        XCTAssertEqual(try files(in: out), ["config.json", "model.safetensors"], "the fixture has no tokenizer to copy")
        let (sourceConfig, sourceParameters) = try HFCheckpoint.load(directory: fixture)
        let (config, parameters) = try HFCheckpoint.load(directory: out)
        XCTAssertEqual(config, sourceConfig)
        assertSameParameters(parameters, sourceParameters)
    }

    func testStories260KWithItsTokenizer() async throws {
        try require(Self.stories)
        try require(Self.tok512)
        let out = scratch.appendingPathComponent("stories260K")
        try await convert(["--from", Self.stories.path, "--tokenizer", Self.tok512.path, "--to", out.path])
        XCTAssertEqual(try files(in: out), Self.filesWithTokenizer)

        let source = try Llama2cCheckpoint.load(url: Self.stories)
        let (config, parameters) = try HFCheckpoint.load(directory: out)
        XCTAssertEqual(config, source.config)
        XCTAssertEqual(config.eosTokenIDs, [2, 1])
        assertSameParameters(parameters, source.parameters)

        let original = try Llama2cTokenizer(contentsOf: Self.tok512, vocabSize: 512)
        let tokenizer = try TokenizerLoader.load(from: out)
        let texts = try fixtureCases().values.flatMap { $0.map(\.text) }
        XCTAssertFalse(texts.isEmpty)
        for text in texts {
            XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: true), original.encode(text, addSpecialTokens: true), text.debugDescription)
            XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: false), original.encode(text, addSpecialTokens: false), text.debugDescription)
        }
    }

    func testNoTokenizerFlagWritesWeightsOnly() async throws {
        try require(Self.stories)
        let out = scratch.appendingPathComponent("weights-only")
        try await convert(["--from", Self.stories.path, "--no-tokenizer", "--to", out.path])
        XCTAssertEqual(try files(in: out), ["config.json", "model.safetensors"])
    }

    func testRefusesBadInput() async throws {
        try require(Self.stories)
        try require(TestPaths.smolLM2GGUF)
        let missing = scratch.appendingPathComponent("no-such-model").path
        try assertConvertRefused(["--from", missing, "--to", scratch.appendingPathComponent("a").path], mentions: ["not found", missing])

        let notes = scratch.appendingPathComponent("notes.txt")
        try Data("not a model".utf8).write(to: notes)
        try assertConvertRefused(["--from", notes.path, "--to", scratch.appendingPathComponent("b").path], mentions: ["model format", notes.path])

        try assertConvertRefused(["--from", Self.stories.path, "--to", scratch.appendingPathComponent("c").path],
                            mentions: ["--tokenizer", Self.stories.path])

        let underFile = notes.appendingPathComponent("out").path
        try assertConvertRefused(["--from", Self.stories.path, "--no-tokenizer", "--to", underFile], mentions: ["cannot write", underFile])

        try assertConvertRefused(["--from", TestPaths.smolLM2GGUF.path, "--tokenizer", Self.tok512.path, "--to", scratch.appendingPathComponent("d").path],
                            mentions: ["--tokenizer", TestPaths.smolLM2GGUF.path])
        XCTAssertEqual(try files(in: scratch), ["notes.txt"], "nothing written for refused input")
    }

    func testNonEmptyFolderNeedsForce() async throws {
        try require(Self.stories)
        let out = scratch.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: out.appendingPathComponent("old.txt"))
        try assertConvertRefused(["--from", Self.stories.path, "--no-tokenizer", "--to", out.path], mentions: ["not empty", out.path, "--force"])
        XCTAssertEqual(try files(in: out), ["old.txt"])

        try await convert(["--from", Self.stories.path, "--no-tokenizer", "--to", out.path, "--force"])
        XCTAssertEqual(try files(in: out), ["config.json", "model.safetensors"])
        XCTAssertEqual(try files(in: scratch), ["busy"], "the replaced folder is gone")

        let empty = scratch.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try await convert(["--from", Self.stories.path, "--no-tokenizer", "--to", empty.path])
        XCTAssertEqual(try files(in: empty), ["config.json", "model.safetensors"])
    }

    /// A tokenizer with no exact tokenizer.json equivalent is refused, pointing at --no-tokenizer.
    func testUnconvertibleTokenizerSuggestsNoTokenizer() async throws {
        try require(Self.stories)
        try require(Self.tok512)
        var bytes = [UInt8](try Data(contentsOf: Self.tok512))
        let byteToken = Array("<0x41>".utf8)
        let start = try XCTUnwrap((0...(bytes.count - byteToken.count)).first { bytes[$0..<($0 + byteToken.count)].elementsEqual(byteToken) })
        bytes[start + 4] = UInt8(ascii: "Z")  // "<0x4Z>": no longer the byte token llama2.c uses for "A"
        let odd = scratch.appendingPathComponent("odd512.bin")
        try Data(bytes).write(to: odd)
        let out = scratch.appendingPathComponent("stories")
        try assertConvertRefused(["--from", Self.stories.path, "--tokenizer", odd.path, "--to", out.path],
                            mentions: [odd.path, "<0x41>", "--no-tokenizer"])
        XCTAssertEqual(try files(in: scratch), ["odd512.bin"])
    }

    /// A failure after writing has begun leaves neither the folder nor its staging copy.
    func testFailureLeavesNoFolder() async throws {
        try require(Self.stories)
        let badTokenizer = scratch.appendingPathComponent("tok512.bin")
        try Data([7, 0, 0, 0, 1, 2]).write(to: badTokenizer)  // a header, then too little for one token
        let out = scratch.appendingPathComponent("stories")
        try assertConvertRefused(["--from", Self.stories.path, "--tokenizer", badTokenizer.path, "--to", out.path], mentions: [badTokenizer.path])
        XCTAssertEqual(try files(in: scratch), ["tok512.bin"])
    }
}

/// One case of shared/fixtures/tokenizers.json.
private struct TokenizerCase: Decodable {
    var text: String
    var ids: [Int]
    var decoded: String?
}
