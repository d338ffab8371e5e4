import Datasets
import ModelIO
import TestSupport
@testable import Trainers
import Training
import XCTest

/// How `rlhf sft` turns an example into prompt and response ids: raw texts with BOS, or the chat
/// template's rendering with the assistant turn opened; the response ends with EOS; the cut to a length.
final class SupervisedEncodingTests: XCTestCase {
    func tokenizer() throws -> any Tokenizer {
        let path = TestPaths.data("stories260K/tok512.bin")
        try requireFile(FileManager.default.fileExists(atPath: path.path), "missing \(path.path)")
        let bundle = try ModelBundle.load(path: TestPaths.data("stories260K/stories260K.bin").path, tokenizerPath: path.path,
                                          requireTokenizer: true)
        return try XCTUnwrap(bundle.tokenizer)
    }

    func testWithoutATemplateThePromptGetsBOSAndTheResponseEOS() throws {
        let t = try tokenizer()
        let encoding = SupervisedEncoding(tokenizer: t, template: nil, eos: 2, maxLength: 512)
        let tokens = encoding.tokens(SupervisedExample(prompt: "Once upon a time", response: " there was a cat."))
        XCTAssertEqual(tokens.prompt, t.encode("Once upon a time", addSpecialTokens: true))
        XCTAssertEqual(tokens.response, t.encode(" there was a cat.", addSpecialTokens: false) + [2])
    }

    func testATemplateRendersTheConversationWithTheAssistantTurnOpened() throws {
        let t = try tokenizer()
        let example = SupervisedExample(prompt: "\n\nHuman: Hi\n\nAssistant:", response: " Hello!", messages: [.user("Hi"), .assistant("Hello!")])
        let hh = SupervisedEncoding(tokenizer: t, template: AnthropicHHTemplate(), eos: 2, maxLength: 512).tokens(example)
        XCTAssertEqual(hh.prompt, t.encode("\n\nHuman: Hi\n\nAssistant:", addSpecialTokens: false))
        XCTAssertEqual(hh.response, t.encode(" Hello!", addSpecialTokens: false) + [2])
        let chatML = SupervisedEncoding(tokenizer: t, template: ChatMLTemplate.plain, eos: 2, maxLength: 512)
        let plain = SupervisedExample(prompt: "Hi", response: "Hello!")
        for encoded in [chatML.tokens(example), chatML.tokens(plain)] {
            XCTAssertEqual(encoded.prompt, t.encode("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", addSpecialTokens: false))
            XCTAssertEqual(encoded.response, t.encode("Hello!<|im_end|>\n", addSpecialTokens: false) + [2], "the turn's end, then EOS")
        }
    }

    func testLongExamplesAreCut() throws {
        let t = try tokenizer()
        let encoding = SupervisedEncoding(tokenizer: t, template: nil, eos: 2, maxLength: 8)
        let full = SupervisedEncoding(tokenizer: t, template: nil, eos: 2, maxLength: 512)
        let example = SupervisedExample(prompt: "Once upon a time there was a little girl named Lily.", response: " She was happy.")
        XCTAssertEqual(encoding.tokens(example), full.tokens(example).fitted(to: 8))
        XCTAssertEqual(encoding.tokens(example).count, 8)
    }
}
