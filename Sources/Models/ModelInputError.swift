import Tensor

/// Errors a model raises on input it cannot take.
public struct ModelInputError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// A token id outside 0..<vocabSize.
        case tokenOutOfRange(id: Int, vocabSize: Int, index: Int)
        /// A position at or past the model's position table.
        case positionOutOfRange(position: Int, maxPositions: Int, index: Int)
        /// Rows of a batch have different lengths, or the ids/positions/mask shapes disagree.
        case shapeMismatch(String)
        /// An empty batch or sequence.
        case empty
        /// A call that needs an earlier one: `needed` says which (e.g. backward before forward).
        case outOfOrder(call: String, needed: String)
        /// A host array of the wrong length: `what` names it.
        case lengthMismatch(what: String, expected: Int, got: Int)
        /// A gradient was asked of a frozen model (a reference or reward model kept fixed).
        case frozen
        /// A head the call needs is not attached (e.g. values without a value head).
        case missingHead(String)
        /// An id or position list value that does not fit in 32 bits.
        case valueTooLarge(what: String, value: Int, index: Int)
        /// A sampling temperature that is not a positive finite number.
        case invalidTemperature(Float)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// A token id outside 0..<vocabSize.
    public static func tokenOutOfRange(id: Int, vocabSize: Int, index: Int) -> ModelInputError { ModelInputError(.tokenOutOfRange(id: id, vocabSize: vocabSize, index: index)) }
    /// A position at or past the model's position table.
    public static func positionOutOfRange(position: Int, maxPositions: Int, index: Int) -> ModelInputError { ModelInputError(.positionOutOfRange(position: position, maxPositions: maxPositions, index: index)) }
    /// Rows of a batch have different lengths, or the ids/positions/mask shapes disagree.
    public static func shapeMismatch(_ v0: String) -> ModelInputError { ModelInputError(.shapeMismatch(v0)) }
    /// An empty batch or sequence.
    public static let empty = ModelInputError(.empty)
    /// A call that needs an earlier one: `needed` says which (e.g. backward before forward).
    public static func outOfOrder(call: String, needed: String) -> ModelInputError { ModelInputError(.outOfOrder(call: call, needed: needed)) }
    /// A host array of the wrong length: `what` names it.
    public static func lengthMismatch(what: String, expected: Int, got: Int) -> ModelInputError { ModelInputError(.lengthMismatch(what: what, expected: expected, got: got)) }
    /// A gradient was asked of a frozen model (a reference or reward model kept fixed).
    public static let frozen = ModelInputError(.frozen)
    /// A head the call needs is not attached (e.g. values without a value head).
    public static func missingHead(_ v0: String) -> ModelInputError { ModelInputError(.missingHead(v0)) }
    /// An id or position list value that does not fit in 32 bits.
    public static func valueTooLarge(what: String, value: Int, index: Int) -> ModelInputError { ModelInputError(.valueTooLarge(what: what, value: value, index: index)) }
    /// A sampling temperature that is not a positive finite number.
    public static func invalidTemperature(_ v0: Float) -> ModelInputError { ModelInputError(.invalidTemperature(v0)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case let .tokenOutOfRange(id, vocab, index): "token id \(id) at index \(index) is outside the vocabulary 0..<\(vocab)"
        case let .positionOutOfRange(p, maxP, index): "position \(p) at index \(index) is past the model's \(maxP) positions"
        case let .shapeMismatch(what): "shape mismatch: \(what)"
        case .empty: "empty input: at least one token is needed"
        case let .outOfOrder(call, needed): "\(call) needs \(needed) first"
        case let .lengthMismatch(what, expected, got): "\(what) has \(got) values; this batch needs \(expected)"
        case .frozen: "the model is frozen (a reference or reward model): it keeps no gradients"
        case .missingHead(let what): "the model has no \(what)"
        case let .valueTooLarge(what, value, index): "\(what) \(value) at index \(index) does not fit in 32 bits"
        case .invalidTemperature(let t): "temperature must be a positive finite number, got \(t)"
        }
    }
}
