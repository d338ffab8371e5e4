/// Bad input the subcommands find once the model or the inputs are read, each naming the flag or file.
enum CommandInputError: Error, CustomStringConvertible, Equatable {
    /// A text or prompt has more tokens than the model's positions.
    case tooLong(what: String, tokens: Int, maxPositions: Int, extra: String)
    /// An input file (`--text-file`, `--prompt-file`) cannot be read.
    case unreadable(flag: String, path: String, reason: String)
    /// An input file is not in the expected form.
    case malformed(flag: String, path: String, line: Int, reason: String)
    /// An input file or standard input is larger than the commands read.
    case tooLarge(flag: String, path: String, limit: Int)
    /// The work asked for needs more memory than this machine has.
    case tooMuchMemory(what: String, floats: Int?, limit: Int)
    /// The model produced a NaN or infinite number.
    case nonFinite(what: String)
    /// The model has no tokenizer but the command needs one.
    case noTokenizer(model: String)
    /// Two flags that exclude each other, or one that needs another.
    case flags(String)

    var description: String {
        switch self {
        case let .tooLong(what, tokens, maxPositions, extra):
            return "the \(what) is \(tokens) tokens\(extra); the model takes \(maxPositions)"
        case let .unreadable(flag, path, reason):
            return "\(flag) \(path): cannot read: \(reason)"
        case let .malformed(flag, path, line, reason):
            return "\(flag) \(path): line \(line): \(reason)"
        case let .tooLarge(flag, path, limit):
            return "\(flag) \(path): larger than the \(limit / (1 << 20)) MiB read"
        case let .tooMuchMemory(what, floats, limit):
            let size = floats.map { "\($0 / (1 << 18)) MiB" } ?? "more than an Int counts"
            return "\(what) needs \(size), more than this machine's \(limit / (1 << 18)) MiB"
        case .nonFinite(let what):
            return "the model computed a non-finite number (NaN or infinity) for \(what); its weights or config are broken"
        case .noTokenizer(let model):
            return "no tokenizer found for \(model): pass one with --tokenizer"
        case .flags(let message):
            return message
        }
    }
}
