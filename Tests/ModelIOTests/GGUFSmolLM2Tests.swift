@testable import ModelIO
import Models
import TestSupport
import XCTest

/// The real SmolLM2-135M-Instruct Q4_1 GGUF (`make models`). Reference values were printed by
/// llama.cpp's Python package (`gguf` 0.19: `GGUFReader` + `gguf.quants.dequantize`), with q/k rows
/// returned to Hugging Face order by numpy `reshape(heads, D/2, 2, C).swapaxes(1, 2)`.
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
        XCTAssertLessThan(loaded.seconds, 10, "a load this slow means dequantization lost its speed")
    }

    private func values(_ name: String, row: Int, columns: Range<Int>) throws -> [Float] {
        let store = try model().parameters
        let spec = try XCTUnwrap(store.spec(named: name))
        let width = spec.shape.dropFirst().reduce(1, *)
        let base = store.value(name) + row * (spec.shape.count == 1 ? 0 : width)
        return columns.map { base[$0] }
    }

    private func assertClose(_ actual: [Float], _ expected: [Float], _ what: String, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, line: line)
        for (a, e) in zip(actual, expected) {
            XCTAssertEqual(a, e, accuracy: 1e-6 * max(1, abs(e)), what, line: line)
        }
    }

    func testLoadedValuesMatchReferenceDequantization() throws {
        // Q8_0 embedding
        assertClose(try values("embed.tokens", row: 0, columns: 0..<4),
                    [-0.10654449462890625, 0.032978057861328125, 0.048198699951171875, -0.022830963134765625], "embed row 0")
        assertClose(try values("embed.tokens", row: 49151, columns: 572..<576),
                    [0.07819175720214844, 0.12858200073242188, -0.11989402770996094, -0.0417022705078125], "embed row 49151")
        // Q4_1 q | k | v of layer 0, q and k in Hugging Face row order
        let qkv = "layers.0.attn.qkv.weight"
        assertClose(try values(qkv, row: 1, columns: 0..<3), [-0.1591796875, 0.39794921875, -0.0198974609375], "q row 1")
        assertClose(try values(qkv, row: 32, columns: 0..<3), [-0.1173095703125, -0.1173095703125, -0.19281005859375], "q row 32")
        assertClose(try values(qkv, row: 575, columns: 573..<576), [-0.096832275390625, -0.14984130859375, -0.255859375], "q row 575")
        assertClose(try values(qkv, row: 576 + 33, columns: 0..<3), [-0.09912109375, 0.22955322265625, -0.2305908203125], "k row 33")
        assertClose(try values(qkv, row: 576 + 191, columns: 0..<3), [0.015869140625, -0.4342041015625, 0.015869140625], "k row 191")
        assertClose(try values(qkv, row: 576 + 192 + 5, columns: 0..<3), [0.02459716796875, -0.080078125, 0.01151275634765625], "v row 5")
        // gate | up and down of layer 7, attention output of layer 29
        let gateUp = "layers.7.mlp.gate_up.weight"
        assertClose(try values(gateUp, row: 7, columns: 0..<3), [-0.245361328125, -0.18365478515625, 0.00146484375], "gate row 7")
        assertClose(try values(gateUp, row: 1536 + 7, columns: 0..<3), [0.04638671875, 0.403564453125, 0.13568115234375], "up row 7")
        assertClose(try values("layers.7.mlp.down.weight", row: 3, columns: 1000..<1003),
                    [-0.142303466796875, 0.194427490234375, 0.1383056640625], "down row 3")
        assertClose(try values("layers.29.attn.out.weight", row: 10, columns: 100..<103),
                    [-0.4129638671875, -0.271240234375, -0.34210205078125], "attn out row 10")
        // F32 norms
        assertClose(try values("final_norm.weight", row: 0, columns: 0..<4), [1.7578125, 1.8203125, 1.78125, 1.6015625], "final norm")
        assertClose(try values("layers.29.attn_norm.weight", row: 0, columns: 570..<576),
                    [0.3984375, 0.4375, 0.39453125, 0.39453125, 0.416015625, 0.41796875], "attn norm 29")
    }
}
