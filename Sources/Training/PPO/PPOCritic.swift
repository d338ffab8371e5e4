import Models

/// The separate critic of `PPOUpdate` (OpenRLHF's `CriticModel` started from a reward model): a
/// `SequenceClassifier` read at every position. It takes the policy's token ids as they are, so its
/// vocabulary must cover the policy's; its values [B·T] line up with the value head's (value[b·T + t]
/// from the hidden state at t).
extension PPOUpdate {
    /// Throws when `critic` cannot read every token id of `policy`.
    static func check(critic: SequenceClassifier, policy: CausalLM) throws(PPOInputError) {
        let criticVocabulary = critic.config.vocabSize, policyVocabulary = policy.config.vocabSize
        guard criticVocabulary >= policyVocabulary else {
            throw .criticVocabularyTooSmall(critic: criticVocabulary, policy: policyVocabulary)
        }
    }

    /// The critic's stores (its trunk, then its score head), clipped together; empty without a critic.
    var criticStores: [ParameterStore] { critic.map { [$0.parameters, $0.head.parameters] } ?? [] }
}
