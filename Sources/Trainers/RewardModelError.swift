/// A folder that is not a reward model, or a reward model asked for what it cannot do: the path and why.
public enum RewardModelError: Error, CustomStringConvertible, Equatable {
    /// The path is not a folder with a config.json.
    case notFolder(String)
    /// The folder is of another class (a causal LM); `classes` is its `architectures`.
    case notSequenceClassifier(String, classes: [String])
    /// `cls` pooling asked of a decoder (it has no [CLS] token).
    case poolingNeedsEncoder(String, architecture: String)

    /// The classes a reward model folder may be.
    public static let classifierClasses = "GPT2ForSequenceClassification, LlamaForSequenceClassification or BertForSequenceClassification with num_labels 1"

    public var description: String {
        switch self {
        case .notFolder(let path):
            return "\(path) is not a Hugging Face folder with config.json; a reward model is a \(Self.classifierClasses)"
        case let .notSequenceClassifier(path, classes):
            let named = classes.isEmpty ? "" : " (its config.json names \(classes.joined(separator: ", ")))"
            return "\(path) is not a sequence classifier\(named); a reward model is a \(Self.classifierClasses)"
        case let .poolingNeedsEncoder(path, architecture):
            return "--pooling cls needs a BERT encoder; \(path) is a \(architecture) decoder (use last or mean)"
        }
    }
}
