import Foundation
import ModelIO
import TestSupport
import XCTest

/// A checkpoint that does not match its config is refused with an error naming the file and the key.
final class HFCheckpointErrorTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try temporaryFolder("modelio-tests") }

    private func assertLoadFails(_ folder: URL, mentions: [String], file: StaticString = #filePath, line: UInt = #line,
                                 _ matches: (HFCheckpointError.Code) -> Bool) {
        assertCheckpointError(HFCheckpointError.self, mentions: mentions, file: file, line: line,
                     { _ = try HFCheckpoint.load(directory: folder) }, matches: matches)
    }

    func testMissingTensor() throws {
        let folder = try HFFixtureCopy.make("llama-tiny", in: directory, editTensors: { tensors in
            tensors.removeAll { $0.name == "model.layers.1.self_attn.v_proj.weight" }
        })
        let weights = folder.appendingPathComponent("model.safetensors").path
        assertLoadFails(folder, mentions: [weights, "model.layers.1.self_attn.v_proj.weight"]) {
            if case .missingTensor(_, "model.layers.1.self_attn.v_proj.weight") = $0 { true } else { false }
        }
    }

    func testUntiedConfigNeedsTheLMHead() throws {
        let folder = try HFFixtureCopy.make("llama-tiny", in: directory, editConfig: { $0["tie_word_embeddings"] = false })
        assertLoadFails(folder, mentions: ["lm_head.weight"]) {
            if case .missingTensor(_, "lm_head.weight") = $0 { true } else { false }
        }
    }

    func testUnexpectedTensor() throws {
        let folder = try HFFixtureCopy.make("gpt2-tiny", in: directory, editTensors: { tensors in
            tensors.append(NamedTensor(name: "transformer.h.0.attn.q_norm.weight", shape: [64], values: [Float](repeating: 1, count: 64)))
        })
        let weights = folder.appendingPathComponent("model.safetensors").path
        assertLoadFails(folder, mentions: [weights, "transformer.h.0.attn.q_norm.weight"]) {
            if case .unexpectedTensor(_, "transformer.h.0.attn.q_norm.weight") = $0 { true } else { false }
        }
    }

    func testExtraLayerIsUnexpected() throws {
        let folder = try HFFixtureCopy.make("llama-tiny", in: directory, editConfig: { $0["num_hidden_layers"] = 1 })
        assertLoadFails(folder, mentions: ["model.layers.1."]) {
            if case .unexpectedTensor = $0 { true } else { false }
        }
    }

    func testMisShapedTensor() throws {
        let folder = try HFFixtureCopy.make("gpt2-tiny", in: directory, editTensors: { tensors in
            let i = tensors.firstIndex { $0.name == "transformer.wpe.weight" }!
            tensors[i].shape = [63, 64]
            tensors[i].values.removeLast(64)
        })
        let weights = folder.appendingPathComponent("model.safetensors").path
        assertLoadFails(folder, mentions: [weights, "transformer.wpe.weight", "[63, 64]", "[64, 64]"]) {
            if case .shapeMismatch(_, "transformer.wpe.weight", [64, 64], [63, 64]) = $0 { true } else { false }
        }
    }

    /// A GPT-2 Conv1D weight stored in nn.Linear order ([out, in]) is a shape error, not silently transposed.
    func testConvWeightInLinearOrderIsMisShaped() throws {
        let folder = try HFFixtureCopy.make("gpt2-tiny", in: directory, editTensors: { tensors in
            let i = tensors.firstIndex { $0.name == "transformer.h.0.mlp.c_fc.weight" }!
            tensors[i].shape = [256, 64]
        })
        assertLoadFails(folder, mentions: ["transformer.h.0.mlp.c_fc.weight", "[256, 64]", "[64, 256]"]) {
            if case .shapeMismatch = $0 { true } else { false }
        }
    }

    func testUnknownArchitecture() throws {
        let folder = try HFFixtureCopy.make("gpt2-tiny", in: directory, editConfig: {
            $0["architectures"] = ["GPT2ForSequenceClassification"]
        })
        assertLoadFails(folder, mentions: [folder.appendingPathComponent("config.json").path, "GPT2ForSequenceClassification"]) {
            if case .unknownArchitecture = $0 { true } else { false }
        }
    }

    func testFolderWithoutWeights() throws {
        let folder = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestPaths.fixture("gpt2-tiny/config.json"), to: folder.appendingPathComponent("config.json"))
        assertLoadFails(folder, mentions: [folder.path, "model.safetensors"]) {
            if case .noWeights = $0 { true } else { false }
        }
    }

    func testFolderWithoutConfig() throws {
        let folder = directory.appendingPathComponent("noconfig")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        assertLoadFails(folder, mentions: [folder.appendingPathComponent("config.json").path]) {
            if case .unreadableFile = $0 { true } else { false }
        }
    }

    /// A broken weights file surfaces the safetensors error itself.
    func testCorruptWeightsFile() throws {
        let folder = try HFFixtureCopy.make("gpt2-tiny", in: directory)
        let weights = folder.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count / 2).write(to: weights)
        assertCheckpointError(SafetensorsError.self, mentions: [weights.path], { _ = try HFCheckpoint.load(directory: folder) }) {
            if case .truncated = $0 { true } else { false }
        }
    }
}
