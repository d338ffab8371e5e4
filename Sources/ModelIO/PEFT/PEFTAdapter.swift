import Foundation
import Storage
import Models
import Tensor

/// A LoRA adapter folder in PEFT's layout: `adapter_config.json` and `adapter_model.safetensors` (A and B
/// of every adapted module under PEFT's key names), which `peft.PeftModel.from_pretrained` loads onto
/// the `transformers` model, and which PEFT writes with `save_pretrained`.
public enum PEFTAdapter {
    /// The weights file's name.
    public static let weightsFileName = "adapter_model.safetensors"

    /// Writes `adapter` into `directory` (created if needed), each file atomically; `baseModel` goes to
    /// `base_model_name_or_path`.
    public static func save(_ adapter: LoRAAdapter, baseModel: String, to directory: URL) throws {
        let architecture = adapter.model.architecture
        let configJSON = try PEFTAdapterConfig.json(for: adapter.config, architecture: architecture, baseModel: baseModel)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HFCheckpointError.cannotSave(file: directory.path, reason: (error as NSError).localizedDescription)
        }
        let backend = adapter.parameters.backend, r = adapter.config.rank
        var writer = SafetensorsWriter()
        for slot in adapter.slots {
            let (aKey, bKey) = PEFTKeyMap.keys(slot, architecture: architecture)
            let a = adapter.a(slot), b = adapter.b(slot)
            writer.addFloats(aKey, shape: [r, slot.inFeatures]) { backend.download(a, into: $0) }
            writer.addFloats(bKey, shape: [slot.rows, r]) { backend.download(b, into: $0) }
        }
        try writer.write(to: directory.appendingPathComponent(weightsFileName))
        try StagedWrite.file(directory.appendingPathComponent(PEFTAdapterConfig.fileName), contents: configJSON)
    }

    /// The adapter in `directory` for a model of shape `model`: the config checked strictly, every A and B
    /// present with its shape and finite, no other tensor (a DoRA magnitude, a trained bias, a saved module).
    public static func load(directory: URL, model: TransformerConfig, backend: Backend = DefaultBackend.current) throws -> LoRAAdapter {
        let config = try PEFTAdapterConfig.read(folder: directory, model: model)
        let adapter = try LoRAAdapter(config: config, model: model, backend: backend)
        let url = directory.appendingPathComponent(weightsFileName), file = url.path
        guard FileManager.default.fileExists(atPath: file) else {
            throw HFCheckpointError.unreadableFile(file: file, reason: "no such file (a PEFT adapter folder has adapter_model.safetensors)")
        }
        let weights = try SafetensorsFile(url: url)
        var expected = Set<String>()
        let r = config.rank
        for slot in adapter.slots {
            let (aKey, bKey) = PEFTKeyMap.keys(slot, architecture: model.architecture)
            for (key, shape, target) in [(aKey, [r, slot.inFeatures], adapter.a(slot)), (bKey, [slot.rows, r], adapter.b(slot))] {
                expected.insert(key)
                guard weights.contains(key) else { throw HFCheckpointError.missingTensor(file: file, key: key) }
                let found = try weights.info(key).shape
                guard found == shape else { throw HFCheckpointError.shapeMismatch(file: file, key: key, expected: shape, found: found) }
                let values = try weights.floats(key)
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw NonFiniteWeightError(file: file, tensor: key, index: bad,
                                               value: values[bad].isNaN ? "nan" : values[bad] > 0 ? "inf" : "-inf")
                }
                backend.upload(values, to: target)
            }
        }
        if let extra = weights.tensorNames.sorted().first(where: { !expected.contains($0) }) {
            throw HFCheckpointError.unexpectedTensor(file: file, key: extra)
        }
        return adapter
    }
}
