import Tensor

/// Memory checks on the work a command or a run config asks of a model (batch × tokens, copies of it),
/// made before anything is allocated, so an absurd `--batch`, `batch_size` or worker count is an error
/// instead of a crash.
package enum ModelWorkLimits {
    /// Floats one forward pass over `batch` rows of `length` tokens allocates at most (activations of every
    /// layer, attention scores, logits), or nil when the count overflows.
    package static func forwardFloats(_ config: TransformerConfig, batch: Int, length: Int) -> Int? {
        let perToken = [config.vocabSize, 4 * config.qkvWidth, 16 * config.width, 4 * config.ffnWidth]
        var perLayerToken = 0
        for term in perToken.dropFirst() {
            let (s, o) = perLayerToken.addingReportingOverflow(term)
            if o { return nil }
            perLayerToken = s
        }
        return checked([batch, length, config.layers, perLayerToken], plus: [
            [batch, length, config.vocabSize, 2],                       // logits and their scratch
            [batch, config.heads, length, length, config.layers, 2],    // attention scores
            [2, config.layers, batch, config.kvHeads, length, config.headDim],  // a KV cache
        ])
    }

    /// Throws `ModelWorkLimitError` when `floats` (nil: overflowed) is over half the machine's memory, or, on
    /// a GPU (`DefaultBackend`), over 90% of the GPU's: the process has it to itself.
    package static func require(_ floats: Int?, for what: String) throws(ModelWorkLimitError) {
        let limit = DefaultBackend.current.deviceMemoryBytes.map { $0 / 4 / 10 * 9 } ?? TransformerConfig.physicalMemoryFloats / 2
        guard let floats, floats <= limit else { throw ModelWorkLimitError(what: what, floats: floats, limit: limit) }
    }

    /// The product of `factors` plus each product in `terms`, or nil on overflow.
    package static func checked(_ factors: [Int], plus terms: [[Int]]) -> Int? {
        var total = 0
        for product in [factors] + terms {
            var p = 1
            for f in product {
                let (m, o) = p.multipliedReportingOverflow(by: f)
                if o { return nil }
                p = m
            }
            let (s, o) = total.addingReportingOverflow(p)
            if o { return nil }
            total = s
        }
        return total
    }
}

/// Work that needs more memory than this machine has: what, how much, and the limit (in floats).
package struct ModelWorkLimitError: Error, CustomStringConvertible, Equatable {
    /// The work, as a phrase ("generating for 8 prompt(s) of up to 64 tokens").
    package let what: String
    /// Floats it needs (nil: more than an Int counts).
    package let floats: Int?
    /// Floats this machine allows.
    package let limit: Int

    package var description: String {
        let size = floats.map { "\($0 / (1 << 18)) MiB" } ?? "more than an Int counts"
        return "\(what) needs \(size), more than this machine's \(limit / (1 << 18)) MiB"
    }
}
