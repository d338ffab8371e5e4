import Foundation
import Models
import Storage

/// `adapter_config.json` of a PEFT LoRA adapter: read strictly (an option that changes what the adapter
/// computes and is not plain LoRA — DoRA, rsLoRA, LoRA biases, `modules_to_save`, per-layer ranks, ... —
/// is refused naming its key), written with PEFT's names.
enum PEFTAdapterConfig {
    static let fileName = "adapter_config.json"

    /// Keys whose value never changes the forward pass of a loaded adapter (bookkeeping, initialisation,
    /// dropout, which only acts in training and is 0 here).
    private static let inert: Set<String> = [
        "base_model_name_or_path", "revision", "peft_version", "inference_mode", "auto_mapping", "init_lora_weights",
        "lora_dropout", "megatron_core", "megatron_config", "qalora_group_size", "eva_config", "corda_config",
        "lora_ga_config", "ensure_weight_tying", "layers_pattern", "task_type", "peft_type", "r", "lora_alpha",
        "target_modules", "fan_in_fan_out", "bias",
    ]

    /// The LoRA config in `folder/adapter_config.json`, checked against the model's architecture.
    static func read(folder: URL, model: TransformerConfig) throws -> LoRAConfig {
        let url = folder.appendingPathComponent(fileName), file = url.path
        let data: Data
        do { data = try SideFile.read(file, limit: SideFile.Limit.modelConfig, what: "an adapter_config.json") } catch {
            throw HFCheckpointError.unreadableFile(file: file, reason: error.reason)
        }
        let json: CheckpointJSON
        do { json = try CheckpointJSON.parse(data) } catch {
            throw HFCheckpointError.malformedJSON(file: file, reason: "\(error)")
        }
        guard let fields = json.objectValue else { throw HFCheckpointError.malformedJSON(file: file, reason: "not a JSON object") }
        func field(_ key: String) throws -> CheckpointJSON {
            guard let value = fields[key] else { throw HFCheckpointError.missingField(file: file, key: key) }
            return value
        }
        func invalid(_ key: String, _ expected: String) -> HFCheckpointError {
            .invalidField(file: file, key: key, value: fields[key]?.shortDescription ?? "missing", expected: expected)
        }
        guard try field("peft_type").stringValue == "LORA" else { throw invalid("peft_type", "\"LORA\"") }
        guard let rank = try field("r").intValue, rank >= 1 else { throw invalid("r", "a positive integer") }
        guard let alpha = try field("lora_alpha").doubleValue, alpha > 0, alpha.isFinite else {
            throw invalid("lora_alpha", "a positive number")
        }
        let targetsValue = try field("target_modules")
        guard let list = targetsValue.arrayValue else {
            if targetsValue.stringValue != nil {
                throw HFCheckpointError.unsupportedFeature(file: file, key: "target_modules", value: targetsValue.shortDescription,
                                                           reason: "a regular expression; list the module names")
            }
            throw invalid("target_modules", "a list of module names")
        }
        let targets = try list.map { item -> String in
            guard let name = item.stringValue else { throw invalid("target_modules", "a list of module names") }
            return name
        }
        if let bias = fields["bias"], bias.stringValue != "none" {
            throw HFCheckpointError.unsupportedFeature(file: file, key: "bias", value: bias.shortDescription, reason: "only \"none\" (no trained biases)")
        }
        if let task = fields["task_type"], !task.isNull, task.stringValue != "CAUSAL_LM" {
            throw HFCheckpointError.unsupportedFeature(file: file, key: "task_type", value: task.shortDescription, reason: "only CAUSAL_LM adapters")
        }
        let conv1D = model.architecture == .gpt2
        if let fanInFanOut = fields["fan_in_fan_out"], fanInFanOut.boolValue != conv1D {
            throw invalid("fan_in_fan_out", "\(conv1D) for a \(model.architecture.rawValue) model")
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !inert.contains(key) && !isNeutral(value) {
            throw HFCheckpointError.unsupportedFeature(file: file, key: key, value: value.shortDescription,
                                                       reason: "it changes the adapter's computation beyond plain LoRA")
        }
        let config = LoRAConfig(rank: rank, alpha: alpha, targets: targets)
        do { _ = try LoRASlot.slots(for: model, targets: targets) } catch {
            throw HFCheckpointError.unsupportedFeature(file: file, key: "target_modules", value: targetsValue.shortDescription,
                                                       reason: "\(error)")
        }
        return config
    }

    /// null, false, 0, "", [] or {}: an option left at its default.
    private static func isNeutral(_ value: CheckpointJSON) -> Bool {
        switch value {
        case .null: true
        case .bool(let b): !b
        case .int(let i): i == 0
        case .double(let d): d == 0
        case .string(let s): s.isEmpty
        case .array(let a): a.isEmpty
        case .object(let o): o.isEmpty
        }
    }

    /// The JSON PEFT writes for `config` on a model of `architecture` (keys sorted, as PEFT's).
    static func json(for config: LoRAConfig, architecture: Architecture, baseModel: String) throws -> Data {
        let fields: [String: Any] = [
            "alpha_pattern": [String: Any](), "auto_mapping": NSNull(), "base_model_name_or_path": baseModel,
            "bias": "none", "fan_in_fan_out": architecture == .gpt2, "inference_mode": true, "init_lora_weights": true,
            "layers_pattern": NSNull(), "layers_to_transform": NSNull(), "lora_alpha": config.alpha, "lora_dropout": 0.0,
            "modules_to_save": NSNull(), "peft_type": "LORA", "r": config.rank, "rank_pattern": [String: Any](),
            "revision": NSNull(), "target_modules": config.targets, "task_type": "CAUSAL_LM", "use_dora": false,
            "use_rslora": false,
        ]
        return try JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys])
    }
}
