import Tensor

/// One transformer block: `forward` writes its activations, `backward` goes through them in reverse
/// order, accumulating parameter gradients and turning the residual-stream gradient into the gradient
/// of the block's input, in place.
protocol DecoderBlock {
    /// input[N,C] → acts.residualOut[N,C].
    func forward(input: FloatPointer, acts: BlockActivations, run: BlockRun)
    /// scratch.residual[N,C]: gradient of acts.residualOut on entry, of input on exit.
    func backward(input: FloatPointer, acts: BlockActivations, scratch: GradientScratch, run: BlockRun)
}

/// What one block call needs besides its own weights: the backend, the batch shape and the inputs.
struct BlockRun {
    let backend: Backend
    let config: TransformerConfig
    let batch: Int
    let length: Int
    let positions: TokenPointer
    let keyMask: FloatPointer?
    let rotary: RotaryTable?
    /// scratch for a projection before its residual add [N,C]
    let projection: FloatPointer
    /// the generation cache, when this is an incremental (prefill/decode) pass
    var cache: KVCache? = nil
    /// packed copies of the projection weights, when generation supplies them
    var packed: PackedWeights? = nil

    var rows: Int { batch * length }

    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]), from the packed copy of the weight when
    /// this run has one.
    func project(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?,
                 inFeatures: Int, outFeatures: Int) {
        backend.matmulForward(out: out, input: input, weight: weight, packed: packed, bias: bias, rows: rows,
                              inFeatures: inFeatures, outFeatures: outFeatures)
    }

    /// Attention of block `layer` (causal in a decoder, bidirectional in BERT): over the batch itself (training, scoring) or, with a cache,
    /// over the cached keys plus the new ones.
    func attend(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, layer: Int) {
        if let cache {
            backend.cachedAttention(out: out, qkv: qkv, cache: cache.slot(layer: layer), shape: attentionShape)
        } else {
            backend.attentionForward(out: out, att: att, qkv: qkv, keyMask: keyMask, shape: attentionShape)
        }
    }
    var attentionShape: AttentionShape {
        AttentionShape(batch: batch, length: length, heads: config.heads, kvHeads: config.kvHeads,
                       headDim: config.headDim, causal: config.architecture.isCausal)
    }
}

/// Pointers to one named parameter and (if enabled) its gradient.
struct Weight {
    let value: FloatPointer
    let grad: FloatPointer?

    init(_ store: ParameterStore, _ name: String) {
        value = store.value(name)
        grad = store.gradients == nil ? nil : store.gradient(name)
    }
}
