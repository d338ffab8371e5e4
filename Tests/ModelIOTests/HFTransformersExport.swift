import Foundation
import Models
import ModelIO
import Tensor
import TestSupport
import XCTest

/// Feeds `scripts/check_hf_roundtrip.py`: with `RLHF_HF_EXPORT_DIR` set, saves the loaded fixtures there
/// for `transformers` to load (skipped otherwise; the in-process round trip is `HFCheckpointRoundTripTests`).
final class HFTransformersExport: XCTestCase {
    func testExportFixturesForTransformers() throws {
        guard let path = ProcessInfo.processInfo.environment["RLHF_HF_EXPORT_DIR"] else {
            throw XCTSkip("set RLHF_HF_EXPORT_DIR to export checkpoints for scripts/check_hf_roundtrip.py")
        }
        let root = URL(fileURLWithPath: path)
        for name in ["gpt2-tiny", "llama-tiny"] {
            let (config, store) = try HFCheckpoint.load(directory: TestPaths.fixture(name))
            try HFCheckpoint.save(config: config, store: store, to: root.appendingPathComponent(name))
        }
        // The Llama fixture untied, with lm_head a copy of the embedding: same logits, but an lm_head.weight key.
        let (tied, tiedStore) = try HFCheckpoint.load(directory: TestPaths.fixture("llama-tiny"))
        var untied = tied
        untied.tiedEmbeddings = false
        let store = ParameterStore(specs: ParameterLayout.specs(for: untied), backend: CPUBackend.shared)
        for spec in tiedStore.specs { store.value(spec.name).update(from: tiedStore.value(spec.name), count: spec.count) }
        store.value("lm_head.weight").update(from: tiedStore.value("embed.tokens"), count: untied.vocabSize * untied.width)
        try HFCheckpoint.save(config: untied, store: store, to: root.appendingPathComponent("llama-tiny-untied"))
    }
}
