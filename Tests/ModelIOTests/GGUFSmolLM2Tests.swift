@testable import ModelIO
import Models
import TestSupport
import XCTest

/// The real SmolLM2-135M-Instruct Q4_1 GGUF (`make models`). Reference values come from
/// `scripts/reference/gguf_smollm2_values.py`: llama.cpp's Python package (`gguf` 0.19: `GGUFReader` +
/// `gguf.quants.dequantize`), with q/k rows returned to Hugging Face order by numpy.
final class GGUFSmolLM2Tests: XCTestCase {
    struct Loaded: Sendable {
        var config: TransformerConfig, parameters: ParameterStore, file: GGUFFile, seconds: Double
    }

    /// Loaded once for all tests in this class (540 MB of floats).
    static let loaded: Result<Loaded, Error> = Result {
        let start = DispatchTime.now().uptimeNanoseconds
        let (config, parameters, file) = try GGUFModel.load(url: TestPaths.smolLM2GGUF)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Loaded(config: config, parameters: parameters, file: file, seconds: seconds)
    }

    override func setUpWithError() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.smolLM2GGUF.path),
                          "run `make models` for \(TestPaths.smolLM2GGUF.path)")
    }

    private func model() throws -> Loaded { try Self.loaded.get() }

    func testMetadata() throws {
        let file = try GGUFFile(url: TestPaths.smolLM2GGUF)
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.metadataKeys.count, 33)
        XCTAssertEqual(try file.architecture(), "llama")
        XCTAssertEqual(try file.int("llama.block_count"), 30)
        XCTAssertEqual(try file.int("llama.embedding_length"), 576)
        XCTAssertEqual(try file.int("llama.attention.head_count"), 9)
        XCTAssertEqual(try file.int("llama.attention.head_count_kv"), 3)
        XCTAssertEqual(try file.int("llama.feed_forward_length"), 1536)
        XCTAssertEqual(try file.optionalDouble("llama.rope.freq_base"), 100_000)
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(file.dataOffset, 1_785_664)

        let tokenizer = try GGUFTokenizerMetadata(file: file)
        XCTAssertEqual(tokenizer.model, "gpt2")
        XCTAssertEqual(tokenizer.preTokenizer, "smollm")
        XCTAssertEqual(tokenizer.tokens.count, 49152)
        XCTAssertEqual(Array(tokenizer.tokens.prefix(3)), ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        XCTAssertEqual(tokenizer.merges.count, 48900)
        XCTAssertEqual(Array(tokenizer.merges.prefix(2)), ["Ġ t", "Ġ a"])
        XCTAssertEqual(tokenizer.tokenTypes.count, 49152)
        XCTAssertEqual(tokenizer.tokenTypes.first, 3)
        XCTAssertEqual(tokenizer.scores, [])
        XCTAssertEqual(tokenizer.bosTokenID, 1)
        XCTAssertEqual(tokenizer.eosTokenID, 2)
        XCTAssertEqual(tokenizer.padTokenID, 2)
        XCTAssertEqual(tokenizer.unknownTokenID, 0)
        XCTAssertEqual(tokenizer.addBOS, false)
        XCTAssertEqual(tokenizer.addSpacePrefix, false)
        XCTAssertEqual(tokenizer.chatTemplate?.count, 368)
        XCTAssertTrue(tokenizer.chatTemplate?.hasPrefix("{% for message in messages %}") ?? false)
    }

    func testTensorIndex() throws {
        let file = try GGUFFile(url: TestPaths.smolLM2GGUF)
        XCTAssertEqual(file.tensors.count, 272)
        XCTAssertEqual(file.tensors.filter { $0.type == .q4_1 }.count, 210)
        XCTAssertEqual(file.tensors.filter { $0.type == .f32 }.count, 61)
        let embedding = try XCTUnwrap(file.tensor(named: "token_embd.weight"))
        XCTAssertEqual(embedding.type, .q8_0)
        XCTAssertEqual(embedding.dimensions, [576, 49152])
        XCTAssertEqual(embedding.shape, [49152, 576])
        XCTAssertEqual(embedding.offset, 0)
        let key = try XCTUnwrap(file.tensor(named: "blk.0.attn_k.weight"))
        XCTAssertEqual(key.type, .q4_1)
        XCTAssertEqual(key.shape, [192, 576])
        XCTAssertEqual(key.offset, 31_744_512)
        XCTAssertEqual(file.tensor(named: "blk.0.ffn_down.weight")?.shape, [576, 1536])
        XCTAssertEqual(file.tensor(named: "blk.29.attn_norm.weight")?.type, .f32)
        XCTAssertNil(file.tensor(named: "output.weight"), "tied: no separate LM head")
    }

    func testConfigMapping() throws {
        let config = try GGUFLlamaConfig.config(from: try GGUFFile(url: TestPaths.smolLM2GGUF))
        XCTAssertEqual(config, TransformerConfig(architecture: .llama, vocabSize: 49152, maxPositions: 8192, layers: 30,
                                                 width: 576, heads: 9, kvHeads: 3, headDim: 64, ffnWidth: 1536,
                                                 normEps: 1e-5, ropeBase: 100_000, tiedEmbeddings: true,
                                                 bosTokenID: 1, eosTokenIDs: [2]))
        XCTAssertEqual(config, .llamaSmol)
    }

    func testFullLoadShapesMatchParameterLayout() throws {
        let loaded = try model()
        print("SmolLM2-135M Q4_1 GGUF load: \(String(format: "%.3f", loaded.seconds)) s")
        let expected = ParameterLayout.specs(for: loaded.config)
        XCTAssertEqual(loaded.parameters.specs.map(\.name), expected.map(\.0))
        XCTAssertEqual(loaded.parameters.specs.map(\.shape), expected.map(\.1))
        XCTAssertEqual(loaded.parameters.parameterCount, 134_515_008)
        XCTAssertLessThan(loaded.seconds, 10, "a hang guard: the load takes about 0.35 s")
    }

    private func values(_ name: String, row: Int, columns: Range<Int>) throws -> [Float] {
        let store = try model().parameters
        let spec = try XCTUnwrap(store.spec(named: name))
        let width = spec.shape.dropFirst().reduce(1, *)
        let base = store.value(name) + row * (spec.shape.count == 1 ? 0 : width)
        return columns.map { base[$0] }
    }

    /// Q8_0 embeddings, Q4_1 q | k | v (q and k in Hugging Face row order), gate | up, down, attention
    /// output and F32 norms, as `scripts/reference/gguf_smollm2_values.py` dequantized them.
    func testLoadedValuesMatchReferenceDequantization() throws {
        let reference = try ReferenceSlices.load("Tests/ModelIOTests/gguf-smollm2-values.json")
        XCTAssertEqual(reference.cases.count, 14)
        for slice in reference.cases {
            XCTAssertEqual(try values(slice.name, row: slice.row, columns: slice.columnRange), slice.values.map(Float.init),
                           "\(slice.name) row \(slice.row)")
        }
    }
}
