import Tensor

extension CausalLM {
    /// Runs new tokens through the model against `cache` (prefill: the padded prompts; decode: one token
    /// per row), appends their keys/values, and returns logits[B,V] of each row's last new token
    /// (valid until the next call). `batch.mask` marks left padding; positions must continue each row's.
    /// With `packed` (a current snapshot of this model's weights), the products read the packed copies.
    public func forwardCached(_ batch: TokenBatch, cache: KVCache, packed: PackedWeights? = nil) throws -> FloatPointer {
        try batch.validate(vocabSize: config.vocabSize, maxPositions: config.maxPositions)
        guard batch.batch == cache.batch else {
            throw ModelInputError.shapeMismatch("batch of \(batch.batch) rows for a cache of \(cache.batch)")
        }
        guard cache.length + batch.length <= cache.capacity else {
            throw ModelInputError.shapeMismatch("\(cache.length + batch.length) tokens exceed the cache's \(cache.capacity)")
        }
        let B = batch.batch, Tn = batch.length, C = config.width
        let acts = incrementalArena(batch: B, length: Tn)
        acts.load(batch)
        for b in 0..<B {
            for t in 0..<Tn { cache.mask.pointer[b * cache.capacity + cache.length + t] = batch.mask?[b * Tn + t] ?? 1 }
        }
        embed(acts)
        let last = runBlocks(acts, cache: cache, packed: packed)
        cache.length += Tn
        // only each row's last position needs logits: gather those rows, normalise, project
        // (with one new token per row those rows are already contiguous)
        var lastRows = last
        if Tn > 1 {
            for b in 0..<B { backend.copy(from: last + (b * Tn + Tn - 1) * C, to: acts.projection + b * C, count: C) }
            lastRows = acts.projection
        }
        finalNormForward(input: lastRows, acts: acts, rows: B)
        backend.matmulForward(out: acts.logits, input: acts.finalNorm, weight: headWeight.value, packed: packed,
                              bias: nil, rows: B, inFeatures: C, outFeatures: config.vocabSize)
        return acts.logits
    }

    private func incrementalArena(batch B: Int, length T: Int) -> ForwardActivations {
        if let a = incrementalArenas[T], a.batch == B { return a }
        let a = ForwardActivations(config: config, batch: B, length: T, keepAllLayers: false, hasMask: false,
                                   lastPositionLogitsOnly: true,
                                   backend: backend)
        incrementalArenas[T] = a
        return a
    }
}
