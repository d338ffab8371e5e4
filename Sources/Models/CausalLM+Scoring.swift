import Tensor

extension CausalLM {
    /// Rows of logits one `scoreTokens` chunk computes at a time.
    static let scoringChunkRows = 64

    /// Log-probs of `targets` [B·T] (−1 = none) under softmax(logits / temperature), and the entropy when
    /// asked, for `batch`, without keeping its logits: the trunk runs in inference mode and the LM head
    /// projects `scoringChunkRows` rows at a time into one small buffer. This is how a frozen reference
    /// (or the policy's old log-probs) is scored: memory beyond the weights is one block's activations
    /// and [64,V] logits, not [B·T,V]. With `values`, the value head's outputs come along (a PPO
    /// learner's old log-probs and values in one pass). The next `backward` needs a new
    /// `forward(training: true)`.
    public func scoreTokens(_ batch: TokenBatch, targets: [Int32], temperature: Float = 1,
                            entropy: Bool = false, values: Bool = false) throws -> TokenLogProbs {
        try Self.check(temperature: temperature)
        if values && valueHead == nil { throw ModelInputError.missingHead("value head (attachValueHead)") }
        let N = batch.batch * batch.length, V = config.vocabSize, C = config.width
        guard targets.count == N else { throw ModelInputError.lengthMismatch(what: "targets", expected: N, got: targets.count) }
        for (i, t) in targets.enumerated() where Int(t) >= V {
            throw ModelInputError.tokenOutOfRange(id: Int(t), vocabSize: V, index: i)
        }
        let acts = try decoder.forward(batch, training: false, logits: false)
        backend.upload(targets, to: acts.targets)
        let chunk = scoringLogits(rows: min(N, Self.scoringChunkRows))
        var row = 0
        while row < N {
            let rows = min(Self.scoringChunkRows, N - row)
            backend.matmulForward(out: chunk, input: acts.finalNorm + row * C, weight: headWeight.value, bias: nil,
                                  rows: rows, inFeatures: C, outFeatures: V)
            backend.tokenLogProbsForward(logProbs: acts.losses + row, entropy: entropy ? acts.logSumExp + row : nil,
                                         logits: chunk, targets: acts.targets + row, rows: rows, vocab: V,
                                         temperature: temperature)
            row += rows
        }
        var result = TokenLogProbs(logProbs: backend.download(acts.losses, count: N),
                                   entropy: entropy ? backend.download(acts.logSumExp, count: N) : nil)
        if values, let valueHead {
            result.values = backend.download(try valueHead.forward(hidden: acts.finalNorm, rows: N), count: N)
        }
        return result
    }
}
