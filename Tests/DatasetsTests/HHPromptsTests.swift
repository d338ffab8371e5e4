import Datasets
import ModelIO
import XCTest

/// The harmlessness task's prompts: an HH transcript's first Human turn in the HH chat format, and a
/// prompt stream that keeps each prompt whole.
final class HHPromptsTests: XCTestCase {
    func testTheFirstHumanTurnOfATranscript() {
        let transcript = "\n\nHuman: How do I pick a lock?\n\nAssistant: I can't help.\n\nHuman: Why not?\n\nAssistant:"
        XCTAssertEqual(HHPrompts.firstTurn(of: transcript), "\n\nHuman: How do I pick a lock?\n\nAssistant:")
        XCTAssertNil(HHPrompts.firstTurn(of: "Assistant: hi"), "no Human turn first")
        XCTAssertNil(HHPrompts.firstTurn(of: "\n\nHuman:   \n\nAssistant: x"), "an empty turn")
        let pairs = [PreferencePair(prompt: transcript, chosen: " a", rejected: " b"),
                     PreferencePair(prompt: "\n\nHuman: Hi\n\nAssistant:", chosen: " c", rejected: " d")]
        XCTAssertEqual(HHPrompts.firstTurns(of: pairs), ["\n\nHuman: How do I pick a lock?\n\nAssistant:", "\n\nHuman: Hi\n\nAssistant:"])
    }

    func testWholePromptStreamsKeepEachPromptAndDropTheLongOnes() throws {
        let tokenizer = try WordPieceTokenizer(tokens: ["[UNK]", "[CLS]", "[SEP]", "a", "b", "c", "d"])
        let stream = try PromptStream(wholeTexts: ["a b", "a b c d", "c"], tokenizer: tokenizer, maxTokens: 3, seed: 1)
        XCTAssertEqual(stream.count, 2, "the four-token prompt is left out")
        let prompts = Set((0..<6).map { stream.prompt(at: $0) })
        XCTAssertEqual(prompts, [[3, 4], [5]], "each prompt comes whole")
    }
}
