/// One tensor of a published policy version: its name and shape, in the order the values are laid out.
public struct WeightTensor: Sendable, Equatable {
    /// The parameter's name (the policy's `ParameterStore` names).
    public var name: String
    /// Its shape.
    public var shape: [Int]

    /// Creates an entry.
    public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }

    /// Elements of the tensor.
    public var count: Int { shape.reduce(1, *) }
}

/// The weights of policy version `version`, as the learner publishes them to rollout generators: a
/// manifest of tensors and their values laid out one after another in manifest order. A generator
/// installs a version between tasks, never inside one. In one process the values array is shared by
/// every receiver without a copy; the cluster carries it as ~1 MiB frames with a checksum per tensor.
public struct PolicyWeights: Sendable, Equatable {
    /// The version these weights are (the number of PPO updates behind them).
    public var version: Int
    /// The version they replace (nil for the first).
    public var replaces: Int?
    /// The tensors, in layout order.
    public var tensors: [WeightTensor]
    /// Every tensor's values, one after another [Σ count].
    public var values: [Float]

    /// Creates a message; `validate` checks that the manifest and the values agree.
    public init(version: Int, replaces: Int?, tensors: [WeightTensor], values: [Float]) {
        self.version = version; self.replaces = replaces; self.tensors = tensors; self.values = values
    }

    /// Checks that the manifest covers exactly the values, with no empty or negative shapes.
    public func validate() throws(MessageError) {
        var total = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.shape.allSatisfy({ $0 > 0 }) else {
                throw .weights(version: version, what: "tensor \"\(tensor.name)\" has shape \(tensor.shape)")
            }
            let (sum, overflow) = total.addingReportingOverflow(tensor.count)
            guard !overflow else { throw .weights(version: version, what: "the manifest's sizes overflow") }
            total = sum
        }
        guard total == values.count else {
            throw .weights(version: version, what: "the manifest lists \(total) values; \(values.count) came")
        }
    }
}
