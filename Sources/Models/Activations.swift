import Tensor

/// The buffers one transformer block writes in its forward pass and reads in its backward pass.
/// Shapes: N = B·T rows, C width, Q = (H+2KV)·D fused q|k|v width, A = H·D, F feed-forward width.
package struct BlockActivations {
    /// input norm output [N,C]; norm statistics mean/rstd [N] (mean unused by RMSNorm)
    package var norm1, norm1Mean, norm1Rstd: FloatPointer
    /// fused q|k|v projection [N,Q] (q and k rotated by RoPE for Llama)
    package var qkv: FloatPointer
    /// attention probabilities [B,H,T,T]
    package var att: FloatPointer
    /// attention output before its projection [N,A]
    package var attnOut: FloatPointer
    /// residual after attention [N,C]
    package var residualMid: FloatPointer
    /// second norm output [N,C] and statistics [N]
    package var norm2, norm2Mean, norm2Rstd: FloatPointer
    /// MLP hidden before the activation: GPT-2 [N,F]; Llama gate|up [N,2F]
    package var hiddenPre: FloatPointer
    /// MLP hidden after the activation [N,F]
    package var hiddenPost: FloatPointer
    /// block output = next block's input residual [N,C]
    package var residualOut: FloatPointer

    /// Floats one block needs.
    static func size(_ c: TransformerConfig, batch B: Int, length T: Int) -> Int {
        let N = B * T, C = c.width, F = c.ffnWidth
        let pre = c.architecture == .llama ? 2 * F : F
        return N * (C + 2 + c.qkvWidth + c.attentionWidth + C + C + 2 + pre + F + C) + B * c.heads * T * T
    }

    /// Carves the block's buffers out of `p` (which must hold `size` floats); returns the next free pointer.
    static func carve(_ c: TransformerConfig, batch B: Int, length T: Int, from p: inout FloatPointer) -> BlockActivations {
        let N = B * T, C = c.width, F = c.ffnWidth
        func take(_ n: Int) -> FloatPointer { defer { p += n }; return p }
        return BlockActivations(
            norm1: take(N * C), norm1Mean: take(N), norm1Rstd: take(N), qkv: take(N * c.qkvWidth),
            att: take(B * c.heads * T * T), attnOut: take(N * c.attentionWidth), residualMid: take(N * C),
            norm2: take(N * C), norm2Mean: take(N), norm2Rstd: take(N),
            hiddenPre: take(N * (c.architecture == .llama ? 2 * F : F)), hiddenPost: take(N * F),
            residualOut: take(N * C))
    }
}

/// Everything a forward pass of a (B, T) batch writes, in one allocation.
///
/// With `keepAllLayers` (training) every block has its own buffers for the backward pass; for inference
/// all blocks share one set, so scoring long batches costs one block's memory.
package final class ForwardActivations {
    /// Batch size and sequence length this arena was sized for.
    package let batch: Int, length: Int
    /// Whether each block keeps its own buffers.
    package let keepAllLayers: Bool
    /// ids, positions, targets [N] on the backend (targets: the token whose log-prob a loss reads, −1 = none)
    package let ids: TokenPointer, positions: TokenPointer, targets: TokenPointer
    /// per-row upstream gradients [N] each: of the chosen tokens' log-probs and of the entropies
    package let rowGradient: FloatPointer, entropyGradient: FloatPointer
    /// key mask [B,T] or nil
    package let keyMask: FloatPointer?
    /// embedding output [N,C]
    package let embedded: FloatPointer
    /// BERT only: the embedding sum before its LayerNorm [N,C] and that norm's mean/rstd [N]; nil otherwise
    package let embeddingSum, embeddingMean, embeddingRstd: FloatPointer?
    /// BERT only: token-type ids [N], all 0 (every input is one segment); nil otherwise
    package let tokenTypes: TokenPointer?
    /// per-block buffers (all alias the same memory unless `keepAllLayers`)
    package let blocks: [BlockActivations]
    /// final norm output [N,C] and statistics [N]
    package let finalNorm, finalMean, finalRstd: FloatPointer
    /// logits [N,V] (overwritten by dLogits in backward); [B,V] in a `lastPositionLogitsOnly` arena;
    /// empty when the arena serves a model without an LM head
    package let logits: FloatPointer
    /// per-row log-sum-exp and loss [N]
    package let logSumExp, losses: FloatPointer
    /// scratch for a projection output before its residual add [N,C]
    package let projection: FloatPointer
    private let storage: FloatBuffer
    private let tokenStorage: TokenBuffer
    private let backend: Backend

    /// Allocates the arena for `config` and a (B, T) batch.
    /// With `lastPositionLogitsOnly` (generation), logits hold one row per sequence; without `logits`
    /// (a sequence classifier's trunk) there are none.
    /// With `recycling`, the old arena's memory is taken over (cleared) when it is large enough.
    package init(config c: TransformerConfig, batch B: Int, length T: Int, keepAllLayers: Bool, hasMask: Bool,
                lastPositionLogitsOnly: Bool = false, logits hasLogits: Bool = true, backend: Backend,
                recycling old: ForwardActivations? = nil) {
        batch = B; length = T; self.keepAllLayers = keepAllLayers
        self.backend = backend
        let N = B * T, C = c.width
        let blockSize = BlockActivations.size(c, batch: B, length: T)
        let blockCount = keepAllLayers ? c.layers : 1
        let logitRows = hasLogits ? (lastPositionLogitsOnly ? B : N) : 0
        self.hasLogits = hasLogits
        let encoder = c.architecture == .bert
        let total = N * C * 3 + 6 * N + logitRows * c.vocabSize + (hasMask ? N : 0) + blockSize * blockCount
            + (encoder ? N * C + 2 * N : 0)
        let tokenCount = (encoder ? 4 : 3) * N
        if let old, old.storage.count >= total, old.tokenStorage.count >= tokenCount {
            storage = old.storage
            backend.zero(storage.pointer, count: total)
            tokenStorage = old.tokenStorage
            backend.upload([Int32](repeating: 0, count: tokenCount), to: tokenStorage.pointer)
        } else {
            storage = backend.makeBuffer(count: total)
            tokenStorage = backend.makeTokenBuffer(count: tokenCount)  // zeroed: the token types stay 0
        }
        floatCount = storage.count
        tokenTypes = encoder ? tokenStorage.pointer + 3 * N : nil
        ids = tokenStorage.pointer
        positions = tokenStorage.pointer + N
        targets = tokenStorage.pointer + 2 * N
        var p = storage.pointer
        func take(_ n: Int) -> FloatPointer { defer { p += n }; return p }
        keyMask = hasMask ? take(N) : nil
        embedded = take(N * C)
        embeddingSum = encoder ? take(N * C) : nil
        embeddingMean = encoder ? take(N) : nil
        embeddingRstd = encoder ? take(N) : nil
        finalNorm = take(N * C); finalMean = take(N); finalRstd = take(N)
        logits = take(logitRows * c.vocabSize)
        logSumExp = take(N); losses = take(N)
        rowGradient = take(N); entropyGradient = take(N)
        projection = take(N * C)
        var carved: [BlockActivations] = []
        for l in 0..<c.layers {
            if l < blockCount { carved.append(BlockActivations.carve(c, batch: B, length: T, from: &p)) } else { carved.append(carved[0]) }
        }
        blocks = carved
    }

    /// Whether the arena holds logits.
    package let hasLogits: Bool
    /// Floats the arena holds on the backend.
    package let floatCount: Int

    /// Uploads a batch's ids, positions and mask into the arena.
    func load(_ batch: TokenBatch) {
        backend.upload(batch.ids, to: ids)
        backend.upload(batch.positions, to: positions)
        if let keyMask {
            if let mask = batch.mask {
                backend.upload(mask, to: keyMask)
            } else {
                backend.fill(keyMask, count: self.batch * length, value: 1)
            }
        }
    }
}
