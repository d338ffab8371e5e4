import Foundation
import Models
import Tensor

/// Loads and saves `GPT2ForSequenceClassification` / `LlamaForSequenceClassification` folders with one
/// label (a scalar reward model): the trunk under the causal LM's key names, `score.weight` [1,C] (no
/// bias), and `pad_token_id`, which marks where each row ends, from `config.json`.
public enum HFSequenceClassifier {
    /// The class names of sequence classifiers, by family.
    static let architectureNames: [Architecture: String] = [
        .gpt2: "GPT2ForSequenceClassification", .llama: "LlamaForSequenceClassification",
    ]
    /// Class name → family, as `HFConfigReader` takes them.
    static let classNames = Dictionary(uniqueKeysWithValues: architectureNames.map { ($1, $0) })
    /// The head's key.
    static let scoreKey = "score.weight"

    /// Whether `directory/config.json` names a sequence-classification architecture.
    public static func isSequenceClassifier(directory: URL) throws -> Bool {
        let fields = try HFConfigFields(contentsOf: directory.appendingPathComponent("config.json"))
        let names = fields.value("architectures")?.arrayValue?.compactMap(\.stringValue) ?? []
        return names.contains { Set(architectureNames.values).contains($0) }
    }

    /// Reads a one-label sequence classifier folder onto `backend`. Any other `num_labels` is an error.
    public static func load(directory: URL, backend: Backend = CPUBackend.shared) throws -> SequenceClassifier {
        let configURL = directory.appendingPathComponent("config.json")
        let fields = try HFConfigFields(contentsOf: configURL)
        let config = try HFConfigReader.config(from: fields, classes: classNames)
        let labels = try labelCount(fields)
        guard labels == 1 else {
            throw HFCheckpointError.unsupportedFeature(file: fields.file, key: "num_labels", value: String(labels),
                                                       reason: "a reward model is a sequence classifier with num_labels: 1")
        }
        let padTokenID = fields.has("pad_token_id") ? try fields.optionalTokenID("pad_token_id") : nil
        let weights = try HFWeightFiles(directory: directory)
        let store = try HFCheckpoint.loadStore(weights, config: config, lmHead: false, otherKeys: [scoreKey], backend: backend)
        let sourceKeys = try HFCheckpoint.canonicalSourceKeys(weights, config: config)
        let (file, key) = try HFCheckpoint.tensor(scoreKey, shape: [1, config.width], in: weights, sourceKeys: sourceKeys)
        let head = ScalarHead(width: config.width, bias: false, backend: backend)
        let staging = WeightStaging(backend: backend, file: file.url.path)
        let buffer = staging.floats(config.width)
        try file.readFloats(key, into: buffer, count: config.width)
        try staging.upload(buffer, count: config.width, to: head.parameters.value("weight"), tensor: key)
        return SequenceClassifier(config: config, parameters: store, head: head, padTokenID: padTokenID, backend: backend)
    }

    /// Writes `model` as a folder `transformers` loads as the same class with the same rewards.
    public static func save(_ model: SequenceClassifier, to directory: URL) throws {
        let configFile = directory.appendingPathComponent("config.json").path
        let score = model.backend.download(model.head.parameters.value("weight"), count: model.config.width)
        try HFCheckpoint.save(config: model.config, store: model.parameters, lmHead: false, to: directory,
                              configJSON: { try configJSON(for: model, file: configFile) },
                              addOther: { $0.addFloats(scoreKey, shape: [1, model.config.width], values: score) })
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
