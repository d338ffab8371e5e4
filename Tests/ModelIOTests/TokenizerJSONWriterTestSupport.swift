import Foundation
@testable import ModelIO
import Tensor
import TestSupport
import XCTest

/// Shared by the tokenizer.json writer tests: writing a tokenizer to a folder and the strings to compare on.
enum TokenizerJSONWriterTestSupport {
    /// Writes `tokenizer`'s Hugging Face files into a fresh folder (removed after `test`) and returns it.
    static func writeFolder(_ tokenizer: any Tokenizer, chatTemplate: String? = nil, modelMaxLength: Int? = nil,
                            test: XCTestCase) throws -> URL {
        let folder = try test.temporaryFolder("modelio-tests")
        try TokenizerJSONWriter.files(for: tokenizer, chatTemplate: chatTemplate, modelMaxLength: modelMaxLength,
                                      source: "test tokenizer").write(to: folder)
        return folder
    }

    /// The parsed JSON file `name` in `folder`.
    static func json(_ name: String, in folder: URL) throws -> TokenizerJSONValue {
        try TokenizerJSONValue.read(folder.appendingPathComponent(name))
    }

    /// Every text of shared/fixtures/tokenizers.json (all three tokenizers' lists), each once.
    static func fixtureTexts() throws -> [String] {
        let fixture = try TokenizerFixture.load()
        var seen = Set<[UInt8]>()
        return (fixture.gpt2 + fixture.minilm + fixture.smollm2).map(\.text).filter { seen.insert(Array($0.utf8)).inserted }
    }

    /// Lines of real prose (the shared READMEs), and `count` seeded random strings over an alphabet of
    /// letters, digits, spaces, tabs, newlines, punctuation, accents, CJK and emoji.
    static func moreTexts(count: Int) throws -> [String] {
        var texts: [String] = []
        for name in ["data/README.md", "fixtures/README.md"] {
            let prose = try String(contentsOf: TestPaths.shared.appendingPathComponent(name), encoding: .utf8)
            texts += prose.split(separator: "\n").map(String.init)
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789  \t\n.,;!?'\"-_()éüßñ日本語текст🦙²½")
        var random = SplitMix64(seed: 20_261_121)
        for _ in 0..<count {
            let length = Int(random.next() % 40)
            texts.append(String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }))
        }
        return texts
    }
}
