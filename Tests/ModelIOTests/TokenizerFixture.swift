import Foundation
import TestSupport

/// `shared/fixtures/tokenizers.json`: ids from the Hugging Face reference for each string.
struct TokenizerFixture: Decodable {
    struct Case: Decodable {
        var text: String
        var ids: [Int]
        /// decode(ids), where the fixture gives it.
        var decoded: String?
    }

    var gpt2: [Case]
    var minilm: [Case]
    var smollm2: [Case]

    static func load() throws -> TokenizerFixture {
        try JSONDecoder().decode(TokenizerFixture.self, from: Data(contentsOf: TestPaths.fixture("tokenizers.json")))
    }

    static let gpt2Folder = TestPaths.data("gpt2")
    static let gpt2Vocab = TestPaths.data("gpt2/vocab.json")
    static let gpt2Merges = TestPaths.data("gpt2/merges.txt")
    static let tok512 = TestPaths.data("stories260K/tok512.bin")
}
