@testable import ModelIO
import Models
import TestSupport
import XCTest

/// The legacy llama2.c format: the real stories260K checkpoint and small files written here.
final class Llama2cCheckpointTests: XCTestCase {
    static let stories = TestPaths.data("stories260K/stories260K.bin")

    private func requireStories() throws {
        try requireFile(FileManager.default.fileExists(atPath: Self.stories.path), "missing \(Self.stories.path)")
    }

    private func values(_ store: ParameterStore, _ name: String, row: Int, columns: Range<Int>) throws -> [Float] {
        let spec = try XCTUnwrap(store.spec(named: name))
        let base = store.value(name) + row * spec.shape.dropFirst().reduce(1, *)
        return columns.map { base[$0] }
    }

    func testStories260KConfigAndSize() throws {
        try requireStories()
        let (config, store) = try Llama2cCheckpoint.load(url: Self.stories)
        XCTAssertEqual(config, TransformerConfig(architecture: .llama, vocabSize: 512, maxPositions: 512, layers: 5,
                                                 width: 64, heads: 8, kvHeads: 4, headDim: 8, ffnWidth: 172,
                                                 normEps: 1e-5, ropeBase: 10_000, tiedEmbeddings: true,
                                                 bosTokenID: 1, eosTokenIDs: [2, 1]))
        XCTAssertEqual(store.specs.map(\.name), ParameterLayout.specs(for: config).map(\.0))
        // 7 int32, the weights, and two [512, 4] RoPE tables
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: Self.stories.path)[.size] as? Int)
        XCTAssertEqual(size, 1_056_540)
        XCTAssertEqual(28 + 4 * (store.parameterCount + 2 * 512 * 4), size)
    }

    /// Values that `scripts/reference/llama2c_stories260k_values.py` read with numpy straight from the file
    /// (q and k through Hugging Face's `convert_llama_weights_to_hf.py` permute).
    func testStories260KValuesInSwiftPlaces() throws {
        try requireStories()
        let (_, store) = try Llama2cCheckpoint.load(url: Self.stories)
        let reference = try ReferenceSlices.load("Tests/ModelIOTests/llama2c-stories260k-values.json")
        XCTAssertEqual(reference.cases.count, 14)
        for slice in reference.cases {
            XCTAssertEqual(try values(store, slice.name, row: slice.row, columns: slice.columnRange), slice.values.map(Float.init),
                           "\(slice.name) row \(slice.row)")
        }
    }

    // tiny untied model: dim 8, hidden 6, 2 layers, 2 heads / 1 KV head (D 4), vocab 5, seq_len 3
    let C = 8, F = 6, L = 2, H = 2, KV = 1, V = 5, S = 3

    /// Tensors in llama2.c order, each with distinct values.
    private func tinyTensors() -> [(String, [Float])] {
        var tag = 0
        func t(_ name: String, _ count: Int) -> (String, [Float]) {
            tag += 1
            return (name, (0..<count).map { Float(tag * 1000 + $0) })
        }
        let D = C / H, kv = KV * D
        var list = [t("emb", V * C)]
        for kind in ["rms_att"] { for l in 0..<L { list.append(t("\(kind)\(l)", C)) } }
        for l in 0..<L { list.append(t("wq\(l)", C * C)) }
        for l in 0..<L { list.append(t("wk\(l)", kv * C)) }
        for l in 0..<L { list.append(t("wv\(l)", kv * C)) }
        for l in 0..<L { list.append(t("wo\(l)", C * C)) }
        for l in 0..<L { list.append(t("rms_ffn\(l)", C)) }
        for l in 0..<L { list.append(t("w1\(l)", F * C)) }
        for l in 0..<L { list.append(t("w2\(l)", C * F)) }
        for l in 0..<L { list.append(t("w3\(l)", F * C)) }
        list += [t("rms_final", C), t("freq_real", S * D / 2), t("freq_imag", S * D / 2), t("wcls", V * C)]
        return list
    }

    private func tinyFile(header: [Int32]? = nil, dropLast: Int = 0, extra: Int = 0) throws -> URL {
        var bytes: [UInt8] = []
        for v in header ?? [Int32(C), Int32(F), Int32(L), Int32(H), Int32(KV), -Int32(V), Int32(S)] { bytes.appendGGUFInteger(v) }
        for (_, values) in tinyTensors() { for v in values { bytes.appendGGUFInteger(v.bitPattern) } }
        bytes += [UInt8](repeating: 0, count: extra)
        return try GGUFTestFiles.write(Array(bytes.dropLast(dropLast)), named: "tiny.bin")
    }

    func testTinyUntiedModelMapsEveryTensor() throws {
        let (config, store) = try Llama2cCheckpoint.load(url: try tinyFile())
        XCTAssertFalse(config.tiedEmbeddings)
        XCTAssertEqual(config.vocabSize, V)
        let t = Dictionary(uniqueKeysWithValues: tinyTensors())
        func all(_ name: String) -> [Float] {
            let spec = store.spec(named: name)!
            return Array(UnsafeBufferPointer(start: store.value(name), count: spec.count))
        }
        let D = C / H
        XCTAssertEqual(all("embed.tokens"), t["emb"])
        for l in 0..<L {
            let q = GGUFRotaryRowsTests.huggingFacePermute(t["wq\(l)"]!, heads: H, columns: C)
            let k = GGUFRotaryRowsTests.huggingFacePermute(t["wk\(l)"]!, heads: KV, columns: C)
            XCTAssertNotEqual(q, t["wq\(l)"], "the permutation must matter for this test")
            XCTAssertEqual(all("layers.\(l).attn_norm.weight"), t["rms_att\(l)"])
            XCTAssertEqual(all("layers.\(l).attn.qkv.weight"), q + k + t["wv\(l)"]!)
            XCTAssertEqual(all("layers.\(l).attn.out.weight"), t["wo\(l)"])
            XCTAssertEqual(all("layers.\(l).mlp_norm.weight"), t["rms_ffn\(l)"])
            XCTAssertEqual(all("layers.\(l).mlp.gate_up.weight"), t["w1\(l)"]! + t["w3\(l)"]!)
            XCTAssertEqual(all("layers.\(l).mlp.down.weight"), t["w2\(l)"])
            XCTAssertEqual(D, config.headDim)
        }
        XCTAssertEqual(all("final_norm.weight"), t["rms_final"])
        XCTAssertEqual(all("lm_head.weight"), t["wcls"])
    }

    private func assertLlama2cError<T>(_ body: @autoclosure () throws -> T, naming file: URL,
                                       matches: (Llama2cError.Code) -> Bool, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected a Llama2cError", line: line)
        } catch let error as Llama2cError {
            XCTAssertTrue(matches(error.code), "got: \(error)", line: line)
            XCTAssertTrue(String(describing: error).contains(file.path), "\(error)", line: line)
        } catch {
            XCTFail("expected a Llama2cError, got \(error)", line: line)
        }
    }

    func testTruncatedAndTrailingFiles() throws {
        let expected = 28 + 4 * tinyTensors().reduce(0) { $0 + $1.1.count }
        let short = try tinyFile(dropLast: 4)
        assertLlama2cError(try Llama2cCheckpoint.load(url: short), naming: short) {
            $0 == .truncated(file: short.path, expectedBytes: expected, actualBytes: expected - 4)
        }
        let long = try tinyFile(extra: 8)
        assertLlama2cError(try Llama2cCheckpoint.load(url: long), naming: long) {
            $0 == .trailingBytes(file: long.path, expectedBytes: expected, actualBytes: expected + 8)
        }
        try requireStories()
        let realCut = try GGUFTestFiles.prefix(of: Self.stories, count: 500_000, named: "stories-cut.bin")
        assertLlama2cError(try Llama2cCheckpoint.load(url: realCut), naming: realCut) {
            $0 == .truncated(file: realCut.path, expectedBytes: 1_056_540, actualBytes: 500_000)
        }
        let headerCut = try GGUFTestFiles.prefix(of: Self.stories, count: 10, named: "stories-header.bin")
        assertLlama2cError(try Llama2cCheckpoint.load(url: headerCut), naming: headerCut) {
            $0 == .truncated(file: headerCut.path, expectedBytes: 28, actualBytes: 10)
        }
    }

    func testInvalidHeaders() throws {
        let negative = try tinyFile(header: [-8, 6, 2, 2, 1, 5, 3])
        assertLlama2cError(try Llama2cCheckpoint.load(url: negative), naming: negative) {
            if case .invalidHeader(_, "dim", -8, _) = $0 { return true } else { return false }
        }
        let badKV = try tinyFile(header: [8, 6, 2, 2, 3, 5, 3])
        assertLlama2cError(try Llama2cCheckpoint.load(url: badKV), naming: badKV) {
            if case .invalidHeader(_, "n_kv_heads", 3, _) = $0 { return true } else { return false }
        }
        let huge = try tinyFile(header: [1 << 30, 6, 2, 2, 1, 5, 3])
        assertLlama2cError(try Llama2cCheckpoint.load(url: huge), naming: huge) {
            if case .invalidHeader(_, "dim", 1 << 30, _) = $0 { return true } else { return false }
        }
    }
}
