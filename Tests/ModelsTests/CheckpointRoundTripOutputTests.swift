import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// A model saved with `HFCheckpoint.save` and loaded again computes exactly the same logits.
final class CheckpointRoundTripOutputTests: XCTestCase {
    func testSavedModelGivesIdenticalLogits() throws {
        Runtime.configure(threads: 2)
        for name in ["gpt2-tiny", "llama-tiny"] {
            let fx = try ModelFixture(name)
            let batch = try TokenBatch(ids: fx.inputIDs)
            let before = Array(UnsafeBufferPointer(start: try fx.model.forward(batch), count: batch.batch * batch.length * fx.model.config.vocabSize))
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-roundtrip-\(name)-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            try HFCheckpoint.save(config: fx.model.config, store: fx.model.parameters, to: dir)
            let (config, store) = try HFCheckpoint.load(directory: dir)
            XCTAssertEqual(config, fx.model.config)
            let reloaded = CausalLM(config: config, parameters: store)
            let after = try reloaded.forward(batch)
            for i in 0..<before.count where before[i] != after[i] {
                XCTFail("\(name): logit \(i) differs: \(before[i]) vs \(after[i])")
                break
            }
        }
    }
}
