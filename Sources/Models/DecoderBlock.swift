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
    /// the LoRA adapter attached to the model, whose slots add to the projections they target
    var adapter: LoRAAdapter? = nil

    var rows: Int { batch * length }

    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]), from the packed copy of the weight when
    /// this run has one; then, when `site` (layer, projection) carries a LoRA slot, out += its update.
    func project(out: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer?,
                 inFeatures: Int, outFeatures: Int, site: (layer: Int, projection: LoRAProjection)? = nil) {
        backend.matmulForward(out: out, input: input, weight: weight, packed: packed, bias: bias, rows: rows,
                              inFeatures: inFeatures, outFeatures: outFeatures)
        if let site, let adapter {
            adapter.forward(layer: site.layer, site.projection, out: out, outStride: outFeatures, input: input, rows: rows)
        }
    }

    /// The backward pass of `project`: dInput[N,C] (= or += per `accumulateInput`), dWeight[OC,C] +=,
    /// dBias[OC] += (each skipped when nil: a frozen base) from dOut[N,OC]; then the LoRA slot at `site`
    /// adds its input gradient to dInput and accumulates its own A and B gradients.
    func projectBackward(dInput: FloatPointer, dWeight: FloatPointer?, dBias: FloatPointer?, dOut: FloatPointer,
                         input: FloatPointer, weight: FloatPointer, inFeatures: Int, outFeatures: Int,
                         accumulateInput: Bool, site: (layer: Int, projection: LoRAProjection)) {
        backend.matmulBackward(dInput: dInput, dWeight: dWeight, dBias: dBias, dOut: dOut, input: input, weight: weight,
                               rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, accumulateInput: accumulateInput)
        adapter?.backward(layer: site.layer, site.projection, dOut: dOut, outStride: outFeatures, input: input,
                          dInput: dInput, rows: rows)
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

    /// The parameter `name` of `store`; without gradients in the store, `sink` (when given) stands in
    /// for the gradient: a norm's backward always accumulates its parameter gradients, and a frozen
    /// trunk under a LoRA adapter points them at a scratch buffer nobody reads.
    init(_ store: ParameterStore, _ name: String, sink: FloatPointer? = nil) {
        value = store.value(name)
        grad = store.gradients == nil ? sink : store.gradient(name)
    }
}
