import Foundation
import Models
import Tensor

/// Loads and saves `GPT2ForSequenceClassification` / `LlamaForSequenceClassification` /
/// `BertForSequenceClassification` folders with one label (a scalar reward model): the trunk under the
/// base model's key names, the head (`score.weight` [1,C] without bias for the decoders, `classifier.weight`
/// [1,C] and `classifier.bias` [1] for BERT), and `pad_token_id`, which marks where each row ends, from
/// `config.json`. A pooling other than the family's own is saved as `rlhf_pooling` (transformers keeps the
/// key but reads the family's pooling).
public enum HFSequenceClassifier {
    /// The class names of sequence classifiers, by family.
    static let architectureNames: [Architecture: String] = [
        .gpt2: "GPT2ForSequenceClassification", .llama: "LlamaForSequenceClassification",
        .bert: "BertForSequenceClassification",
    ]
    /// Class name → family, as `HFConfigReader` takes them.
    static let classNames = Dictionary(uniqueKeysWithValues: architectureNames.map { ($1, $0) })
    /// Backbones a fresh head goes on: the causal LMs and the bare BERT encoder.
    static let backboneNames = HFConfigReader.supportedArchitectures.merging(["BertModel": .bert]) { a, _ in a }
    /// The decoders' head key.
    static let scoreKey = "score.weight"
    /// The config key of a pooling other than the family's.
    static let poolingKey = "rlhf_pooling"

    /// The head's keys in `family`'s checkpoints: weight, then the bias if it has one.
    static func headKeys(_ family: Architecture) -> [String] {
        family == .bert ? HFBertKeyMap.classifierKeys : [scoreKey]
    }

    /// Whether `directory/config.json` names a sequence-classification architecture.
    public static func isSequenceClassifier(directory: URL) throws -> Bool {
        let fields = try HFConfigFields(contentsOf: directory.appendingPathComponent("config.json"))
        let names = fields.value("architectures")?.arrayValue?.compactMap(\.stringValue) ?? []
        return names.contains { Set(architectureNames.values).contains($0) }
    }

    /// Reads a one-label sequence classifier folder onto `backend`. Any other `num_labels` is an error.
    public static func load(directory: URL, backend: Backend = DefaultBackend.current) throws -> SequenceClassifier {
        let configURL = directory.appendingPathComponent("config.json")
        let fields = try HFConfigFields(contentsOf: configURL)
        let config = try HFConfigReader.config(from: fields, classes: classNames)
        let labels = try labelCount(fields)
        guard labels == 1 else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "num_labels", value: String(labels),
                                                       reason: "a reward model is a sequence classifier with num_labels: 1")
        }
        let padTokenID = try padToken(fields, config: config)
        let pooling = try savedPooling(fields, config: config)
        let weights = try HFWeightFiles(directory: directory)
        let keys = headKeys(config.architecture)
        let store = try HFCheckpoint.loadStore(weights, config: config, lmHead: false, otherKeys: Set(keys), backend: backend)
        let sourceKeys = try HFCheckpoint.canonicalSourceKeys(weights, config: config)
        let head = ScalarHead(width: config.width, bias: keys.count == 2, backend: backend)
        for (key, (name, count)) in zip(keys, [("weight", config.width), ("bias", 1)]) {
            let (file, stored) = try HFCheckpoint.tensor(key, shape: count == 1 ? [1] : [1, count], in: weights, sourceKeys: sourceKeys)
            let staging = WeightStaging(backend: backend, file: file.url.path)
            let buffer = staging.floats(count)
            try file.readFloats(stored, into: buffer, count: count)
            try staging.upload(buffer, count: count, to: head.parameters.value(name), tensor: stored)
        }
        return SequenceClassifier(config: config, parameters: store, head: head, padTokenID: padTokenID, pooling: pooling,
                                  backend: backend)
    }

    /// A reward model from a backbone folder (a causal LM, or a bare `BertModel` such as all-MiniLM-L6-v2)
    /// under a fresh head, as transformers builds a sequence classifier from a base checkpoint: weights
    /// drawn from N(0, 0.02²) with `seed`, bias 0. A causal LM's LM head is dropped.
    public static func loadBackbone(directory: URL, pooling: RewardPooling? = nil, seed: UInt64,
                                    backend: Backend = DefaultBackend.current) throws -> SequenceClassifier {
        let fields = try HFConfigFields(contentsOf: directory.appendingPathComponent("config.json"))
        let config = try HFConfigReader.config(from: fields, classes: backboneNames)
        let weights = try HFWeightFiles(directory: directory)
        let store = try HFCheckpoint.loadStore(weights, config: config, lmHead: false, otherKeys: [HFKeyMap.lmHeadKey],
                                               backend: backend)
        let head = ScalarHead(width: config.width, bias: config.architecture == .bert, backend: backend)
        head.parameters.initializeRandom(seed: seed, std: 0.02)
        return SequenceClassifier(config: config, parameters: store, head: head, padTokenID: try padToken(fields, config: config),
                                  pooling: pooling, backend: backend)
    }

    /// Whether `directory/config.json` names a backbone a fresh head can go on.
    public static func isBackbone(directory: URL) throws -> Bool {
        let fields = try HFConfigFields(contentsOf: directory.appendingPathComponent("config.json"))
        let names = fields.value("architectures")?.arrayValue?.compactMap(\.stringValue) ?? []
        return names.contains { backboneNames[$0] != nil }
    }

    /// `pad_token_id`: explicit (null = none), else BERT's default 0, else none.
    static func padToken(_ fields: HFConfigFields, config: TransformerConfig) throws -> Int? {
        if fields.has("pad_token_id") { return try fields.optionalTokenID("pad_token_id") }
        return config.architecture == .bert ? 0 : nil
    }

    /// The saved `rlhf_pooling`, else the family's; [CLS] on a decoder is an error.
    static func savedPooling(_ fields: HFConfigFields, config: TransformerConfig) throws -> RewardPooling {
        guard let name = try fields.string(poolingKey, default: nil) else { return .standard(for: config.architecture) }
        guard let pooling = RewardPooling(rawValue: name), pooling != .cls || config.architecture == .bert else {
            throw fields.invalid(poolingKey, .string(name), config.architecture == .bert ? "cls, mean or last" : "mean or last")
        }
        return pooling
    }

    /// Writes `model` as a folder `transformers` loads as the same class with the same rewards.
    public static func save(_ model: SequenceClassifier, to directory: URL) throws {
        let configFile = directory.appendingPathComponent("config.json").path
        let width = model.config.width
        let weight = model.backend.download(model.head.parameters.value("weight"), count: width)
        let keys = headKeys(model.config.architecture)
        guard model.head.hasBias == (keys.count == 2) else {
            throw HFCheckpointError.cannotSave(file: directory.path, reason: model.head.hasBias
                ? "a \(model.config.architecture.rawValue) score head has no bias in transformers" : "a BERT classifier head needs a bias")
        }
        let bias = model.head.hasBias ? model.backend.download(model.head.parameters.value("bias"), count: 1) : []
        try HFCheckpoint.save(config: model.config, store: model.parameters, lmHead: false, to: directory,
                              configJSON: { try configJSON(for: model, file: configFile) },
                              addOther: { writer in
                                  writer.addFloats(keys[0], shape: [1, width], values: weight)
                                  if keys.count == 2 { writer.addFloats(keys[1], shape: [1], values: bias) }
                              })
    }

    /// The causal LM's config fields with the classifier's class, one label and the pad id.
    static func configJSON(for model: SequenceClassifier, file: String) throws -> Data {
        let base = try HFConfigWriter.json(for: model.config, file: file)
        guard var object = try JSONSerialization.jsonObject(with: base) as? [String: Any],
              let name = architectureNames[model.config.architecture] else {
            throw HFCheckpointError.cannotSave(file: file, reason: "the config did not serialise to an object")
        }
        object["architectures"] = [name]
        object["id2label"] = ["0": "LABEL_0"]
        object["label2id"] = ["LABEL_0": 0]
        object["pad_token_id"] = model.padTokenID.map { $0 as Any } ?? NSNull()
        if model.pooling != .standard(for: model.config.architecture) { object[poolingKey] = model.pooling.rawValue }
        var json = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        json.append(0x0a)
        return json
    }

    /// transformers' `num_labels`: the explicit field, else the size of `id2label`, else its default of 2.
    static func labelCount(_ fields: HFConfigFields) throws -> Int {
        if fields.has("num_labels") { return try fields.positiveInt("num_labels") }
        if let labels = fields.value("id2label") {
            guard let count = labels.objectValue?.count else { throw fields.invalid("id2label", labels, "an object of label names") }
            return count
        }
        return 2
    }
}
