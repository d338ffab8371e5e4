import Foundation
import Generation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// llama2.c's stories260K (a real trained model in the legacy format) generates, greedily from BOS, the
/// text `../shared/data/README.md` gives.
final class Stories260KTests: XCTestCase {
    func testGreedyFromBOSGivesTheReferenceStory() throws {
        Runtime.configure(threads: 2)
        let expected = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high."
        let dir = TestPaths.data("stories260K")
        let bundle = try ModelBundle.load(path: dir.appendingPathComponent("stories260K.bin").path,
                                          tokenizerPath: dir.appendingPathComponent("tok512.bin").path,
                                          requireTokenizer: true)
        let tokenizer = try XCTUnwrap(bundle.tokenizer)
        let bos = try XCTUnwrap(bundle.config.bosTokenID)
        let lm = CausalLM(config: bundle.config, parameters: bundle.parameters)
        let out = try Generator(model: lm).generate(prompts: [[bos]], parameters: SamplingParameters(greedy: true, maxNewTokens: 80))[0]
        let text = tokenizer.decode([bos] + out.tokens, skipSpecialTokens: true)
        XCTAssertTrue(text.hasPrefix(expected), "got: \(text)")
    }
}
