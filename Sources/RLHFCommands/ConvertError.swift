import ModelIO

/// Input `rlhf convert` refuses, each naming the path at fault and what to do.
enum ConvertError: Error, CustomStringConvertible, Equatable {
    /// A llama2.c checkpoint came without its tokenizer.bin.
    case tokenizerRequired(model: String)
    /// `--tokenizer` was given for a model that carries its own tokenizer.
    case tokenizerNotApplicable(model: String, format: ModelFormat)
    /// `--tokenizer` names nothing.
    case tokenizerNotFound(String)
    /// The tokenizer is of a kind that cannot be written as tokenizer.json (`reason` names the file).
    case tokenizerNotConvertible(reason: String)
    /// `--to` cannot be created or written.
    case cannotWrite(String, reason: String)

    var description: String {
        switch self {
        case .tokenizerRequired(let model):
            return "\(model) is a llama2.c checkpoint: pass its tokenizer.bin with --tokenizer (or --no-tokenizer)"
        case .tokenizerNotApplicable(let model, let format):
            let kind = format == .gguf ? "a GGUF file" : "a Hugging Face folder"
            return "--tokenizer is only for llama2.c checkpoints; \(model) is \(kind), whose own tokenizer is converted"
        case .tokenizerNotFound(let path):
            return "tokenizer not found: \(path)"
        case .tokenizerNotConvertible(let reason):
            return "\(reason); pass --no-tokenizer to write config.json and model.safetensors alone"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
