import Foundation
import ModelIO
import Models
import Tensor
import TestSupport
import XCTest

/// Load → save → load gives back the same bits, and what is saved is byte for byte the Hugging Face file.
final class HFCheckpointRoundTripTests: XCTestCase {
    private func assertRoundTrip(_ fixture: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let source = TestPaths.fixture(fixture)
        let (config, store) = try HFCheckpoint.load(directory: source)
        let saved = try temporaryFolder("modelio-tests").appendingPathComponent("saved")
        try HFCheckpoint.save(config: config, store: store, to: saved)

        let original = try RawSafetensors(url: source.appendingPathComponent("model.safetensors"))
        let written = try RawSafetensors(url: saved.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(written.entries.keys.sorted(), original.entries.keys.sorted(), file: file, line: line)
        for (key, entry) in original.entries {
            XCTAssertEqual(written.entries[key]?.shape, entry.shape, key, file: file, line: line)
            XCTAssertEqual(written.entries[key]?.dtype, "F32", key, file: file, line: line)
            XCTAssertEqual(written.data(key), original.data(key), "bytes of \(key)", file: file, line: line)
        }
        XCTAssertEqual(written.metadata, ["format": "pt"], file: file, line: line)

        let (reloadedConfig, reloaded) = try HFCheckpoint.load(directory: saved)
        XCTAssertEqual(reloadedConfig, config, file: file, line: line)
        XCTAssertEqual(reloaded.specs, store.specs, file: file, line: line)
        assertSameParameters(reloaded, store, file: file, line: line)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: saved.path).sorted()
        XCTAssertEqual(leftovers, ["config.json", "model.safetensors"], file: file, line: line)
    }

    func testGPT2RoundTripIsBitIdentical() throws { try assertRoundTrip("gpt2-tiny") }

    func testLlamaRoundTripIsBitIdentical() throws { try assertRoundTrip("llama-tiny") }

    /// An untied Llama with every parameter set to a distinct value survives save → load, `lm_head` included.
    func testUntiedLlamaRoundTrip() throws {
        let config = TransformerConfig(architecture: .llama, vocabSize: 11, maxPositions: 8, layers: 2, width: 12, heads: 3,
                                       kvHeads: 1, headDim: 4, ffnWidth: 20, ropeBase: 500_000, tiedEmbeddings: false,
                                       bosTokenID: 1, eosTokenIDs: [2, 3])
        let store = ParameterStore(specs: ParameterLayout.specs(for: config), backend: CPUBackend.shared)
        for spec in store.specs {
            for i in 0..<spec.count { store.value(spec.name)[i] = Float(spec.offset + i) * 0.001 - 1 }
        }
        let folder = try temporaryFolder("modelio-tests").appendingPathComponent("untied")
        try HFCheckpoint.save(config: config, store: store, to: folder)

        let raw = try RawSafetensors(url: folder.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(raw.entries["lm_head.weight"]?.shape, [11, 12])
        let head = UnsafeBufferPointer(start: store.value("lm_head.weight"), count: 11 * 12)
        XCTAssertEqual(raw.f32("lm_head.weight"), Array(head))
        // k_proj is rows [H·D, H·D + KV·D) = [12, 16) of the fused qkv [(3 + 2)·4 = 20, 12].
        let qkv = UnsafeBufferPointer(start: store.value("layers.1.attn.qkv.weight"), count: 20 * 12)
        XCTAssertEqual(raw.f32("model.layers.1.self_attn.k_proj.weight"), Array(qkv[(12 * 12)..<(16 * 12)]))

        let (loadedConfig, loaded) = try HFCheckpoint.load(directory: folder)
        XCTAssertEqual(loadedConfig, config)
        assertSameParameters(loaded, store)
    }

    func testSavingAStoreWithTheWrongLayoutIsAnError() throws {
        let (config, store) = try HFCheckpoint.load(directory: TestPaths.fixture("gpt2-tiny"))
        var wider = config
        wider.width = 32
        let folder = try temporaryFolder("modelio-tests").appendingPathComponent("never")
        assertCheckpointError(HFCheckpointError.self, mentions: [folder.path, "embed.tokens"],
                     { try HFCheckpoint.save(config: wider, store: store, to: folder) }) {
            if case .cannotSave = $0 { true } else { false }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
    }
}
