import Tensor

extension CausalLM {
    /// Runs new tokens through the model against `cache` (prefill: the padded prompts; decode: one token
    /// per row), appends their keys/values, and returns logits[B,V] of each row's last new token
    /// (valid until the next call). `batch.mask` marks left padding; positions must continue each row's.
    /// With `packed` (a current snapshot of this model's weights), the products read the packed copies.
    package func forwardCached(_ batch: TokenBatch, cache: KVCache, packed: PackedWeights? = nil) throws -> FloatPointer {
        try batch.validate(vocabSize: config.vocabSize, maxPositions: config.maxPositions)
        guard batch.batch == cache.batch else {
            throw ModelInputError.shapeMismatch("batch of \(batch.batch) rows for a cache of \(cache.batch)")
        }
        guard cache.length + batch.length <= cache.capacity else {
            throw ModelInputError.shapeMismatch("\(cache.length + batch.length) tokens exceed the cache's \(cache.capacity)")
        }
        let B = batch.batch, Tn = batch.length, C = config.width
        let key = ArenaCache.Key(batch: B, length: Tn, training: false, hasMask: false, lastPositionOnly: true)
        let acts = decoder.incrementalArenas.arena(for: key) { _ in
            ForwardActivations(config: config, batch: B, length: Tn, keepAllLayers: false, hasMask: false,
                               lastPositionLogitsOnly: true, backend: backend)
        }
        acts.load(batch)
        cache.appendMask(batch.mask, rows: B, length: Tn, backend: backend)
        decoder.embed(acts)
        let last = decoder.runBlocks(acts, cache: cache, packed: packed)
        cache.length += Tn
        // only each row's last position needs logits: gather those rows, normalise, project
        // (with one new token per row those rows are already contiguous)
        var lastRows = last
        if Tn > 1 {
            for b in 0..<B { backend.copy(from: last + (b * Tn + Tn - 1) * C, to: acts.projection + b * C, count: C) }
            lastRows = acts.projection
        }
        decoder.finalNormForward(input: lastRows, acts: acts, rows: B)
        backend.matmulForward(out: acts.logits, input: acts.finalNorm, weight: headWeight.value, packed: packed,
                              bias: nil, rows: B, inFeatures: C, outFeatures: config.vocabSize)
        return acts.logits
    }
}
