import Tensor

extension CUDABackend {
    /// One token for each row index in `rows` of logits[B,V] by `rule`; row b draws from `streams[b]`
    /// (advanced in place). scratch[B,V] is backend memory the call may overwrite. Results follow `rows`.
    ///
    /// The streams are drawn on the host exactly as the CPU sampler draws them: nothing for a greedy rule, else
    /// one `nextUnitFloat()` per row, in `rows` order, used as u in the inverse-CDF draw (u·Σ over the sampled
    /// distribution). One block per row then computes the weights, the filters and the pick on the device
    /// (`rlhf_sample_rows`, or `rlhf_sample_filtered_rows` when top-k / top-p / min-p narrow the distribution);
    /// the tokens and log-probabilities come back in one download.
    public func sampleTokens(logits: FloatPointer, scratch: FloatPointer, rows: [Int], vocab: Int, rule: SamplingRule,
                             streams: inout [SplitMix64]) -> [SampledToken] {
        guard !rows.isEmpty else { return [] }
        precondition(vocab > 0, "sampling from an empty vocabulary")
        // per row: the row index (int bits), then its uniform draw
        var parameters = [Float](repeating: 0, count: 2 * rows.count)
        for (i, b) in rows.enumerated() {
            parameters[2 * i] = Float(bitPattern: UInt32(truncatingIfNeeded: b))
            parameters[2 * i + 1] = rule.greedy ? 0 : streams[b].nextUnitFloat()
        }
        let deviceParameters = self.scratch("sampleTokens.parameters", count: 2 * rows.count)
        let results = self.scratch("sampleTokens.results", count: 2 * rows.count)
        parameters.withUnsafeBufferPointer { upload($0, to: deviceParameters) }
        let temperature = rule.greedy ? 1 : rule.temperature
        let shape = LaunchShape(blocks: rows.count, threads: SamplingKernels.threads)
        if rule.greedy || !rule.filters {
            device.launch("rlhf_sample_rows", shape, [
                .floats(results), .floats(scratch), .floats(logits), .floats(deviceParameters), .int(vocab),
                .float(1 / temperature), .flag(rule.greedy),
            ])
        } else {
            let sortSpace = self.scratch("sampleTokens.sort", count: rows.count * 3 * vocab)
            device.launch("rlhf_sample_filtered_rows", shape, [
                .floats(results), .floats(scratch), .floats(sortSpace), .floats(logits), .floats(deviceParameters),
                .int(vocab), .float(1 / temperature), .int(rule.topK), .float(rule.topP), .float(rule.minP),
            ])
        }
        var picked = [Float](repeating: 0, count: 2 * rows.count)
        picked.withUnsafeMutableBufferPointer { download(results, into: $0) }
        return (0..<rows.count).map { i in
            SampledToken(token: Int(Int32(bitPattern: picked[2 * i].bitPattern)), logprob: picked[2 * i + 1])
        }
    }
}
