/// What is wrong with the inputs of a DPO loss or step.
public enum DPOInputError: Error, Equatable, CustomStringConvertible {
    /// No pairs.
    case empty
    /// An array of the wrong length: its name, the length expected and the one given.
    case length(String, expected: Int, got: Int)
    /// β must be positive and finite.
    case beta(Double)
    /// A pair whose chosen or rejected response is empty: its index.
    case emptyResponse(pair: Int)

    public var description: String {
        switch self {
        case .empty: "a DPO batch needs at least one pair"
        case let .length(name, expected, got): "\(name) has \(got) values for \(expected) pairs"
        case let .beta(beta): "beta must be positive and finite, not \(beta)"
        case let .emptyResponse(pair): "pair \(pair) has an empty chosen or rejected response"
        }
    }
}
