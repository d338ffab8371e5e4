/// What is wrong with arrays handed to the PPO math: one names the array and the sizes.
public struct PPOInputError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// An array of the wrong length.
        case lengthMismatch(what: String, expected: Int, got: Int)
        /// A group size that does not divide the batch, or is below 2 (RLOO, GRPO).
        case invalidGroupSize(samplesPerPrompt: Int, batch: Int)
        /// A separate critic whose vocabulary cannot take every id of the policy's (it reads the policy's tokens).
        case criticVocabularyTooSmall(critic: Int, policy: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// An array of the wrong length.
    public static func lengthMismatch(what: String, expected: Int, got: Int) -> PPOInputError { PPOInputError(.lengthMismatch(what: what, expected: expected, got: got)) }
    /// A group size that does not divide the batch, or is below 2 (RLOO, GRPO).
    public static func invalidGroupSize(samplesPerPrompt: Int, batch: Int) -> PPOInputError { PPOInputError(.invalidGroupSize(samplesPerPrompt: samplesPerPrompt, batch: batch)) }
    /// A separate critic whose vocabulary cannot take every id of the policy's (it reads the policy's tokens).
    public static func criticVocabularyTooSmall(critic: Int, policy: Int) -> PPOInputError { PPOInputError(.criticVocabularyTooSmall(critic: critic, policy: policy)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
        case let .lengthMismatch(what, expected, got): "\(what) has \(got) values; the batch needs \(expected)"
        case let .invalidGroupSize(k, batch):
            "\(k) samples per prompt must be at least 2 and divide the batch of \(batch)"
        case let .criticVocabularyTooSmall(critic, policy):
            "the critic's vocabulary of \(critic) ids is smaller than the policy's \(policy): it reads the policy's tokens"
        }
    }

    static func check(_ ok: Bool, _ what: String, expected: Int, got: Int) throws(PPOInputError) {
        if !ok { throw .lengthMismatch(what: what, expected: expected, got: got) }
    }
}
