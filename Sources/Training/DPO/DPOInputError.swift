/// What is wrong with the inputs of a DPO loss or step.
public struct DPOInputError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// No pairs.
        case empty
        /// An array of the wrong length: its name, the length expected and the one given.
        case length(String, expected: Int, got: Int)
        /// β must be positive and finite.
        case beta(Double)
        /// A pair whose chosen or rejected response is empty: its index.
        case emptyResponse(pair: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// No pairs.
    public static let empty = DPOInputError(.empty)
    /// An array of the wrong length: its name, the length expected and the one given.
    public static func length(_ v0: String, expected: Int, got: Int) -> DPOInputError { DPOInputError(.length(v0, expected: expected, got: got)) }
    /// β must be positive and finite.
    public static func beta(_ v0: Double) -> DPOInputError { DPOInputError(.beta(v0)) }
    /// A pair whose chosen or rejected response is empty: its index.
    public static func emptyResponse(pair: Int) -> DPOInputError { DPOInputError(.emptyResponse(pair: pair)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case .empty: "a DPO batch needs at least one pair"
        case let .length(name, expected, got): "\(name) has \(got) values for \(expected) pairs"
        case let .beta(beta): "beta must be positive and finite, not \(beta)"
        case let .emptyResponse(pair): "pair \(pair) has an empty chosen or rejected response"
        }
    }
}
