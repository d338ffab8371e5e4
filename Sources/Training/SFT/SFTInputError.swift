/// What is wrong with the inputs of a supervised batch or step.
package enum SFTInputError: Error, Equatable, CustomStringConvertible {
    /// No examples, or chunks that hold no response token at all.
    case empty
    /// An example with no prompt or no response token: its index in the batch.
    case emptyPart(example: Int)
    /// A token id outside Int32 (or negative): the example and the id.
    case tokenID(example: Int, id: Int)
    /// A batch size or group size below 1.
    case size(String, Int)

    package var description: String {
        switch self {
        case .empty: "a supervised batch needs at least one example with a response token"
        case let .emptyPart(example): "example \(example) has an empty prompt or response (each needs a token)"
        case let .tokenID(example, id): "example \(example) has the token id \(id), which is not a valid id"
        case let .size(name, value): "\(name) must be at least 1, not \(value)"
        }
    }
}
