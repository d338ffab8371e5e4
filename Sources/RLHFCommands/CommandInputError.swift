/// Bad input the subcommands find once the model or the inputs are read, each naming the flag or file.
enum CommandInputError: Error, CustomStringConvertible, Equatable {
    /// A text or prompt has more tokens than the model's positions (`tokens` of a text cut before it was
    /// encoded are a lower bound).
    case tooLong(what: String, tokens: Int, atLeast: Bool, maxPositions: Int, extra: String)
    /// An input file (`--text-file`, `--prompt-file`) cannot be read.
    case unreadable(flag: String, path: String, reason: String)
    /// An input file is not in the expected form.
    case malformed(flag: String, path: String, line: Int, reason: String)
    /// An input file or standard input is larger than the commands read.
    case tooLarge(flag: String, path: String, limit: Int)
    /// The model produced a NaN or infinite number.
    case nonFinite(what: String)
    /// Weights to be written hold a NaN or infinity (in `tensor`): nothing was written.
    case nonFiniteWeights(tensor: String, why: String)
    /// The model has no tokenizer but the command needs one.
    case noTokenizer(model: String)
    /// Two flags that exclude each other, or one that needs another.
    case flags(String)

    var description: String {
        switch self {
        case let .tooLong(what, tokens, atLeast, maxPositions, extra):
            return "the \(what) is \(atLeast ? "at least " : "")\(tokens) tokens\(extra); the model takes \(maxPositions)"
        case let .unreadable(flag, path, reason):
            return "\(flag) \(path): cannot read: \(reason)"
        case let .malformed(flag, path, line, reason):
            return "\(flag) \(path): line \(line): \(reason)"
        case let .tooLarge(flag, path, limit):
            return "\(flag) \(path): larger than the \(limit / (1 << 20)) MiB read"
        case .nonFinite(let what):
            return "the model computed a non-finite number (NaN or infinity) for \(what); its weights or config are broken"
        case let .nonFiniteWeights(tensor, why):
            return "the weights to write hold a NaN or infinity (in \(tensor)): \(why); nothing was written"
        case .noTokenizer(let model):
            return "no tokenizer found for \(model): pass one with --tokenizer"
        case .flags(let message):
            return message
        }
    }
}
