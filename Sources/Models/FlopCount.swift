extension TransformerConfig {
    /// Floating-point operations of one forward pass per token at sequence length T: 2 per multiply-add
    /// of every projection (LM head included) plus attention's two T×T products (computed in full).
    public func forwardFlopsPerToken(sequenceLength T: Int) -> Double {
        let C = Double(width), F = Double(ffnWidth)
        let mlp = architecture == .llama ? 3 * C * F : 2 * C * F
        let perLayer = C * Double(qkvWidth) + Double(attentionWidth) * C + mlp
        let projections = 2 * (Double(layers) * perLayer + C * Double(vocabSize))
        let attention = Double(layers) * 4 * Double(T) * Double(attentionWidth)
        return projections + attention
    }

    /// Forward + backward ≈ 3 × forward.
    public func trainingFlopsPerToken(sequenceLength T: Int) -> Double { 3 * forwardFlopsPerToken(sequenceLength: T) }
}
