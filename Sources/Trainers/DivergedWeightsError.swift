/// Trained weights that hold a NaN or an infinity: the run diverged, and nothing was written.
public struct DivergedWeightsError: Error, CustomStringConvertible, Equatable {
    /// The first tensor holding one.
    public let tensor: String

    /// The error for the first tensor that holds a non-finite value.
    public init(tensor: String) { self.tensor = tensor }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        "the weights to write hold a NaN or infinity (in \(tensor)): the run diverged (lower the learning rate); nothing was written"
    }
}
