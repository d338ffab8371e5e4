/// What can be wrong with an optimizer's settings or with state handed to it (e.g. from a checkpoint).
public struct OptimizerError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// A hyper-parameter is outside its valid range: `name` is the setting, `requirement` what it must satisfy.
        case invalidHyperparameter(name: String, value: Double, requirement: String)
        /// Optimizer state of the wrong size: a checkpoint written for a different model or layout.
        case stateSizeMismatch(expected: Int, got: Int)
        /// A frozen store (a reference or reward model) was given to the optimizer.
        case frozenParameters
        /// An optimizer over no parameter group.
        case noParameterGroups
        /// Saved moments that no run produces: a NaN or infinity, or a negative second moment.
        case invalidState(group: Int, index: Int, value: Float)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// A hyper-parameter is outside its valid range: `name` is the setting, `requirement` what it must satisfy.
    public static func invalidHyperparameter(name: String, value: Double, requirement: String) -> OptimizerError { OptimizerError(.invalidHyperparameter(name: name, value: value, requirement: requirement)) }
    /// Optimizer state of the wrong size: a checkpoint written for a different model or layout.
    public static func stateSizeMismatch(expected: Int, got: Int) -> OptimizerError { OptimizerError(.stateSizeMismatch(expected: expected, got: got)) }
    /// A frozen store (a reference or reward model) was given to the optimizer.
    public static let frozenParameters = OptimizerError(.frozenParameters)
    /// An optimizer over no parameter group.
    public static let noParameterGroups = OptimizerError(.noParameterGroups)
    /// Saved moments that no run produces: a NaN or infinity, or a negative second moment.
    public static func invalidState(group: Int, index: Int, value: Float) -> OptimizerError { OptimizerError(.invalidState(group: group, index: index, value: value)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case let .invalidHyperparameter(name, value, requirement):
            return "invalid \(name) = \(value): it must be \(requirement)"
        case let .stateSizeMismatch(expected, got):
            return "optimizer state holds \(got) floats but this model needs \(expected): "
                + "the checkpoint was written for a different model; start the optimizer fresh or load the matching model"
        case .frozenParameters:
            return "a frozen parameter store cannot be trained: it has no gradients (unfreeze it or leave it out of the optimizer)"
        case .noParameterGroups:
            return "the optimizer needs at least one parameter group"
        case let .invalidState(group, index, value):
            return "optimizer moment \(index) of group \(group) is \(value): moments are finite and second moments are not negative; the checkpoint is corrupt"
        }
    }
}
