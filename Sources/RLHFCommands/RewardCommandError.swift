/// Bad input the `rlhf reward` subcommands find, each naming the path or the input at fault.
enum RewardCommandError: Error, CustomStringConvertible, Equatable {
    /// `--model` is not a folder with a config.json.
    case notFolder(String)
    /// `--model` is a Hugging Face folder of another class (a causal LM); `classes` is its `architectures`.
    case notSequenceClassifier(String, classes: [String])
    /// An input encodes (or was given) as no tokens.
    case emptyInput(what: String)
    /// A token id of an input is outside the model's vocabulary.
    case tokenOutOfRange(what: String, id: Int, index: Int, vocabSize: Int)

    /// The classes a reward model folder may be.
    static let classifierClasses = "GPT2ForSequenceClassification, LlamaForSequenceClassification or BertForSequenceClassification with num_labels 1"

    var description: String {
        switch self {
        case .notFolder(let path):
            return "\(path) is not a Hugging Face folder with config.json; a reward model is a \(Self.classifierClasses)"
        case let .notSequenceClassifier(path, classes):
            let named = classes.isEmpty ? "" : " (its config.json names \(classes.joined(separator: ", ")))"
            return "\(path) is not a sequence classifier\(named); a reward model is a \(Self.classifierClasses)"
        case .emptyInput(let what):
            return "\(what) has no tokens; a reward needs at least one"
        case let .tokenOutOfRange(what, id, index, vocabSize):
            return "\(what): token id \(id) at index \(index) is outside the vocabulary 0..<\(vocabSize)"
        }
    }
}
