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
        let config = try HFConfigReader.config(from: fields)
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
        backend.upload(try file.floats(key), to: head.parameters.value("weight"))
        return SequenceClassifier(config: config, parameters: store, head: head, padTokenID: padTokenID, backend: backend)
    }

    /// Writes `model` as a folder `transformers` loads as the same class with the same rewards.
    public static func save(_ model: SequenceClassifier, to directory: URL) throws {
        let configFile = directory.appendingPathComponent("config.json").path
        let base = try HFConfigWriter.json(for: model.config, file: configFile)
        guard var object = try JSONSerialization.jsonObject(with: base) as? [String: Any] else {
            throw HFCheckpointError.cannotSave(file: configFile, reason: "the config did not serialise to an object")
        }
        object["architectures"] = [architectureNames[model.config.architecture]!]
        object["id2label"] = ["0": "LABEL_0"]
        object["label2id"] = ["LABEL_0": 0]
        object["pad_token_id"] = model.padTokenID.map { $0 as Any } ?? NSNull()
        var json = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        json.append(0x0a)
        let score = model.backend.download(model.head.parameters.value("weight"), count: model.config.width)
        try HFCheckpoint.save(config: model.config, store: model.parameters, lmHead: false, configJSON: json, to: directory) {
            $0.addFloats(scoreKey, shape: [1, model.config.width], values: score)
        }
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
