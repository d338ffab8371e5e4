/// Bad input the `rlhf reward` subcommands find, each naming the path or the input at fault.
enum RewardCommandError: Error, CustomStringConvertible, Equatable {
    /// An input encodes (or was given) as no tokens.
    case emptyInput(what: String)
    /// A token id of an input is outside the model's vocabulary.
    case tokenOutOfRange(what: String, id: Int, index: Int, vocabSize: Int)

    var description: String {
        switch self {
        case .emptyInput(let what):
            return "\(what) has no tokens; a reward needs at least one"
        case let .tokenOutOfRange(what, id, index, vocabSize):
            return "\(what): token id \(id) at index \(index) is outside the vocabulary 0..<\(vocabSize)"
        }
    }
}
