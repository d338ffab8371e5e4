import Tensor

extension CausalLM {
    /// Log-probs of `targets` [B·T] (−1 = none) under softmax(logits / temperature) of the last forward
    /// batch, and the entropy of that distribution at every position when `entropy` is set.
    public func tokenLogProbs(targets: [Int32], temperature: Float = 1, entropy: Bool = false) throws -> TokenLogProbs {
        try Self.check(temperature: temperature)
        let acts = try lastActivations(for: "tokenLogProbs", targets: targets)
        let N = acts.batch * acts.length
        backend.tokenLogProbsForward(logProbs: acts.losses, entropy: entropy ? acts.logSumExp : nil, logits: acts.logits,
                                     targets: acts.targets, rows: N, vocab: config.vocabSize, temperature: temperature)
        return TokenLogProbs(logProbs: backend.download(acts.losses, count: N),
                             entropy: entropy ? backend.download(acts.logSumExp, count: N) : nil)
    }

    /// The value head's output at every position of the last forward batch, [B·T].
    public func values() throws -> [Float] {
        guard let valueHead else { throw ModelInputError.missingHead("value head (attachValueHead)") }
        guard let (_, acts) = decoder.last else { throw ModelInputError.outOfOrder(call: "values", needed: "forward") }
        let N = acts.batch * acts.length
        return backend.download(try valueHead.forward(hidden: acts.finalNorm, rows: N), count: N)
    }

    /// Backpropagates `gradients` from the heads of the last `forward(training: true)` through the model,
    /// accumulating the trunk's, the LM head's and the value head's parameter gradients. The logits are
    /// overwritten (read log-probs and values before calling this).
    public func backward(_ gradients: PolicyGradients) throws {
        let (_, acts) = try decoder.trainingActivations(for: "backward")
        let N = acts.batch * acts.length, V = config.vocabSize
        try Self.check(temperature: gradients.temperature)
        for (name, array) in [("logProbs", gradients.logProbs), ("entropy", gradients.entropy), ("values", gradients.values)] {
            if let array, array.count != N { throw ModelInputError.lengthMismatch(what: "\(name) gradient", expected: N, got: array.count) }
        }
        if let logits = gradients.logits, logits.count != N * V {
            throw ModelInputError.lengthMismatch(what: "logits gradient", expected: N * V, got: logits.count)
        }
        if gradients.values != nil && valueHead == nil { throw ModelInputError.missingHead("value head (attachValueHead)") }
        if let valueHead, gradients.values != nil, valueHead.parameters.isFrozen { throw ModelInputError.frozen }
        let s = decoder.gradientScratch(acts)
        if gradients.touchesLMHead {
            if gradients.logProbs != nil || gradients.entropy != nil {
                let targets = gradients.targets ?? [Int32](repeating: -1, count: N)
                if gradients.logProbs != nil && gradients.targets == nil {
                    throw ModelInputError.lengthMismatch(what: "targets", expected: N, got: 0)
                }
                _ = try lastActivations(for: "backward", targets: targets)
                if let d = gradients.logProbs { backend.upload(d, to: acts.rowGradient) }
                if let d = gradients.entropy { backend.upload(d, to: acts.entropyGradient) }
                backend.tokenLogProbsBackward(dLogits: acts.logits, logits: acts.logits, targets: acts.targets,
                                              dLogProbs: gradients.logProbs == nil ? nil : acts.rowGradient,
                                              dEntropy: gradients.entropy == nil ? nil : acts.entropyGradient,
                                              rows: N, vocab: V, temperature: gradients.temperature)
                if let direct = gradients.logits { try addToLogits(direct, acts: acts, scratch: s) }
            } else if let direct = gradients.logits {
                backend.upload(direct, to: acts.logits)
            }
            headBackward(acts: acts, scratch: s)
        } else {
            backend.zero(s.norm, count: N * config.width)
        }
        if let d = gradients.values, let valueHead {
            backend.upload(d, to: acts.rowGradient)
            try valueHead.backward(dOut: acts.rowGradient, hidden: acts.finalNorm, dHidden: s.norm, rows: N)
        }
        decoder.backward(acts: acts, scratch: s)
    }

    /// logits[N,V] += direct, one row block at a time through the scratch's hidden-size buffer.
    private func addToLogits(_ direct: [Float], acts: ForwardActivations, scratch s: GradientScratch) throws {
        let V = config.vocabSize, N = acts.batch * acts.length
        let rowsPerBlock = max(1, s.hiddenCapacity / V)
        var row = 0
        while row < N {
            let rows = min(rowsPerBlock, N - row)
            direct.withUnsafeBufferPointer { d in
                backend.upload(UnsafeBufferPointer(rebasing: d[(row * V)..<((row + rows) * V)]), to: s.hidden)
            }
            backend.add(out: acts.logits + row * V, acts.logits + row * V, s.hidden, count: rows * V)
            row += rows
        }
    }

    static func check(temperature: Float) throws {
        guard temperature > 0, temperature.isFinite else { throw ModelInputError.invalidTemperature(temperature) }
    }
}
