import Models

/// Memory checks on the work a command asks of a model (batch × tokens), made before anything is
/// allocated, so an absurd `--batch`, `--seq` or prompt count is an error instead of a crash.
enum ModelWorkLimits {
    /// Floats one forward pass over `batch` rows of `length` tokens allocates at most (activations of every
    /// layer, attention scores, logits), or nil when the count overflows.
    static func forwardFloats(_ config: TransformerConfig, batch: Int, length: Int) -> Int? {
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

    /// Throws `tooMuchMemory` when `floats` (nil: overflowed) is over the machine's memory.
    static func require(_ floats: Int?, for what: String) throws {
        let limit = TransformerConfig.physicalMemoryFloats / 2
        guard let floats, floats <= limit else { throw CommandInputError.tooMuchMemory(what: what, floats: floats, limit: limit) }
    }

    /// The product of `factors` plus each product in `terms`, or nil on overflow.
    private static func checked(_ factors: [Int], plus terms: [[Int]]) -> Int? {
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
