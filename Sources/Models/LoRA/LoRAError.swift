/// Why a LoRA adapter cannot be built or attached.
public enum LoRAError: Error, CustomStringConvertible, Equatable {
    /// A rank that is not a positive number no larger than the projections it adapts.
    case rank(Int)
    /// An alpha that is not a positive finite number.
    case alpha(Double)
    /// A target that the architecture has no projection of that name for.
    case unknownTarget(String, architecture: Architecture, known: [String])
    /// A target named twice, or no target at all.
    case targets(String)
    /// The architecture takes no adapters (BERT is used for reward models only).
    case unsupported(Architecture)
    /// The adapter was built for another model shape.
    case modelMismatch(String)

    public var description: String {
        switch self {
        case .rank(let r): "LoRA rank must be between 1 and the smallest adapted dimension, got \(r)"
        case .alpha(let a): "LoRA alpha must be a positive finite number, got \(a)"
        case let .unknownTarget(name, architecture, known):
            "LoRA target \(name) is not a \(architecture.rawValue) projection; use \(known.joined(separator: ", "))"
        case .targets(let what): "LoRA targets: \(what)"
        case .unsupported(let a): "LoRA adapters are not supported on \(a.rawValue) models"
        case .modelMismatch(let what): "the LoRA adapter does not fit this model: \(what)"
        }
    }
}
