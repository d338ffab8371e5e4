import Foundation
@testable import ModelIO
import TestSupport
import XCTest

/// SmolLM2's tokenizer built from its GGUF metadata, against the Hugging Face ids in the fixture.
final class TokenizerSmolLM2Tests: XCTestCase {
    func testGGUFTokenizerMatchesFixture() throws {
        let metadata = try GGUFTokenizerMetadata(file: GGUFFile(url: TestPaths.smolLM2GGUF))
        let tokenizer = try ByteLevelBPETokenizer(gguf: metadata, source: TestPaths.smolLM2GGUF.path)
        XCTAssertEqual(tokenizer.vocabSize, 49152)
        XCTAssertEqual(tokenizer.defaultSpecialTokens, .none)
        let cases = try TokenizerFixture.load().smollm2
        XCTAssertFalse(cases.isEmpty)
        for fixture in cases {
            XCTAssertEqual(tokenizer.encode(fixture.text, addSpecialTokens: true), fixture.ids, fixture.text.debugDescription)
            if let decoded = fixture.decoded {
                XCTAssertEqual(Array(tokenizer.decode(fixture.ids, skipSpecialTokens: false).utf8), Array(decoded.utf8), fixture.text.debugDescription)
            }
        }
        let template = try XCTUnwrap(metadata.chatTemplate.flatMap(ChatTemplateSelector.template(fromJinja:)))
        XCTAssertEqual(template.render([.user("Hi")], addGenerationPrompt: true),
                       ChatMLTemplate.smolLM2.render([.user("Hi")], addGenerationPrompt: true))
    }
}
