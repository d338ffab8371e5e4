/// A folder that is not a reward model, or a reward model asked for what it cannot do: the path and why.
public struct RewardModelError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// The path is not a folder with a config.json.
        case notFolder(String)
        /// The folder is of another class (a causal LM); `classes` is its `architectures`.
        case notSequenceClassifier(String, classes: [String])
        /// `cls` pooling asked of a decoder (it has no [CLS] token).
        case poolingNeedsEncoder(String, architecture: String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The path is not a folder with a config.json.
    public static func notFolder(_ v0: String) -> RewardModelError { RewardModelError(.notFolder(v0)) }
    /// The folder is of another class (a causal LM); `classes` is its `architectures`.
    public static func notSequenceClassifier(_ v0: String, classes: [String]) -> RewardModelError { RewardModelError(.notSequenceClassifier(v0, classes: classes)) }
    /// `cls` pooling asked of a decoder (it has no [CLS] token).
    public static func poolingNeedsEncoder(_ v0: String, architecture: String) -> RewardModelError { RewardModelError(.poolingNeedsEncoder(v0, architecture: architecture)) }

    /// The classes a reward model folder may be.
    public static let classifierClasses = "GPT2ForSequenceClassification, LlamaForSequenceClassification or BertForSequenceClassification with num_labels 1"

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
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
