/// Why a LoRA adapter cannot be built or attached.
public struct LoRAError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
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
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// A rank that is not a positive number no larger than the projections it adapts.
    public static func rank(_ v0: Int) -> LoRAError { LoRAError(.rank(v0)) }
    /// An alpha that is not a positive finite number.
    public static func alpha(_ v0: Double) -> LoRAError { LoRAError(.alpha(v0)) }
    /// A target that the architecture has no projection of that name for.
    public static func unknownTarget(_ v0: String, architecture: Architecture, known: [String]) -> LoRAError { LoRAError(.unknownTarget(v0, architecture: architecture, known: known)) }
    /// A target named twice, or no target at all.
    public static func targets(_ v0: String) -> LoRAError { LoRAError(.targets(v0)) }
    /// The architecture takes no adapters (BERT is used for reward models only).
    public static func unsupported(_ v0: Architecture) -> LoRAError { LoRAError(.unsupported(v0)) }
    /// The adapter was built for another model shape.
    public static func modelMismatch(_ v0: String) -> LoRAError { LoRAError(.modelMismatch(v0)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
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
