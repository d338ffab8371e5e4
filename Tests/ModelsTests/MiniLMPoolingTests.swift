import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// Mean and last pooling by value: all-MiniLM-L6-v2 (`make models`) pooled over the same padded batch as
/// sentence-transformers pooled it in `minilm-pooling.json` (written by `scripts/reference/minilm_pooling.py`):
/// the model's own sentence embedding (mean pooling, normalized), the mean before normalizing, and the
/// last real token's state; and a reward head over each pooling scores w · pooled + b.
final class MiniLMPoolingTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    struct Reference: Decodable {
        let texts: [String]
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
        let mean: [[Float]]
        let mean_normalized: Bool
        let mean_unnormalized: [[Float]]
        let last: [[Float]]
    }

    private func reference() throws -> Reference {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.miniLM.appendingPathComponent("model.safetensors").path),
                        "all-MiniLM-L6-v2 is missing from \(TestPaths.miniLM.path): run `make models`")
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/ModelsTests/minilm-pooling.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    private func batch(_ r: Reference) throws -> TokenBatch {
        try TokenBatch(ids: r.input_ids, positions: nil, mask: r.attention_mask)
    }

    private func rows(_ flat: [Float], width: Int) -> [[Float]] {
        stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
    }

    func testTheTokenizerGivesTheReferenceIDs() throws {
        let r = try reference()
        let tokenizer = try TokenizerFiles.load(path: TestPaths.miniLM.path)
        for (i, text) in r.texts.enumerated() {
            let real = zip(r.input_ids[i], r.attention_mask[i]).filter { $0.1 == 1 }.map(\.0)
            XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: true), real, text)
        }
    }

    func testMeanPoolingIsSentenceTransformersEmbedding() throws {
        let r = try reference()
        XCTAssertTrue(r.mean_normalized, "the model's pipeline ends in Normalize")
        let model = try HFSequenceClassifier.loadBackbone(directory: TestPaths.miniLM, pooling: .mean, seed: 1)
        let C = model.config.width
        let pooled = rows(try model.pooledStates(try batch(r)), width: C)
        XCTAssertEqual(pooled.count, r.texts.count)
        for (i, row) in pooled.enumerated() {
            assertClose(row, r.mean_unnormalized[i], absolute: 1e-5, relative: 1e-4, "row \(i) mean")
            let norm = row.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            assertClose(row.map { Double($0) / norm }, r.mean[i], absolute: 1e-5, "row \(i) embedding")
        }
        try assertRewardsReadThePooledState(model, r.mean_unnormalized, try batch(r))
    }

    func testLastPoolingReadsTheLastRealToken() throws {
        let r = try reference()
        let model = try HFSequenceClassifier.loadBackbone(directory: TestPaths.miniLM, pooling: .last, seed: 1)
        XCTAssertEqual(model.padTokenID, 0)
        let pooled = rows(try model.pooledStates(try batch(r)), width: model.config.width)
        for (i, row) in pooled.enumerated() { assertClose(row, r.last[i], absolute: 1e-5, relative: 1e-4, "row \(i) last") }
        try assertRewardsReadThePooledState(model, r.last, try batch(r))
    }

    /// The rewards of `model` are its head over the reference's pooled states.
    private func assertRewardsReadThePooledState(_ model: SequenceClassifier, _ pooled: [[Float]], _ batch: TokenBatch,
                                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let C = model.config.width
        let w = model.backend.download(model.head.parameters.value("weight"), count: C)
        let b = model.head.parameters.spec(named: "bias") == nil ? 0 : model.backend.download(model.head.parameters.value("bias"), count: 1)[0]
        let expected = pooled.map { row in zip(row, w).reduce(Double(b)) { $0 + Double($1.0) * Double($1.1) } }
        assertClose(try model.rewards(batch), expected, absolute: 1e-5, relative: 1e-4, "\(model.pooling) rewards", file: file, line: line)
    }
}
