import Tensor

/// Llama block: x + attn(RMSNorm1(x)) with RoPE on q and k and grouped key/value heads, then
/// + SwiGLU MLP(RMSNorm2(·)); no biases.
struct LlamaBlock: DecoderBlock {
    let layer: Int
    let norm1W, qkvW, outW, norm2W, gateUpW, downW: Weight

    /// The block `l` of `store`; `sink` [C] takes the norms' gradients when the store has none.
    init(store: ParameterStore, layer l: Int, sink: FloatPointer? = nil) {
        layer = l
        let p = "layers.\(l)."
        norm1W = Weight(store, p + "attn_norm.weight", sink: sink); qkvW = Weight(store, p + "attn.qkv.weight")
        outW = Weight(store, p + "attn.out.weight"); norm2W = Weight(store, p + "mlp_norm.weight", sink: sink)
        gateUpW = Weight(store, p + "mlp.gate_up.weight"); downW = Weight(store, p + "mlp.down.weight")
    }

    func forward(input: FloatPointer, acts a: BlockActivations, run: BlockRun) {
        let be = run.backend, c = run.config, N = run.rows, C = c.width, F = c.ffnWidth
        be.rmsNormForward(out: a.norm1, rstd: a.norm1Rstd, input: input, weight: norm1W.value, rows: N,
                          channels: C, eps: c.normEps)
        run.project(out: a.qkv, input: a.norm1, weight: qkvW.value, bias: nil, inFeatures: C,
                    outFeatures: c.qkvWidth, site: (layer, .qkv))
        rotate(a.qkv, run: run, inverse: false)
        run.attend(out: a.attnOut, att: a.att, qkv: a.qkv, layer: layer)
        run.project(out: run.projection, input: a.attnOut, weight: outW.value, bias: nil,
                    inFeatures: c.attentionWidth, outFeatures: C, site: (layer, .attnOut))
        be.add(out: a.residualMid, input, run.projection, count: N * C)
        be.rmsNormForward(out: a.norm2, rstd: a.norm2Rstd, input: a.residualMid, weight: norm2W.value, rows: N,
                          channels: C, eps: c.normEps)
        run.project(out: a.hiddenPre, input: a.norm2, weight: gateUpW.value, bias: nil,
                    inFeatures: C, outFeatures: 2 * F, site: (layer, .mlpUp))
        be.swigluForward(out: a.hiddenPost, gateUp: a.hiddenPre, rows: N, hidden: F)
        run.project(out: run.projection, input: a.hiddenPost, weight: downW.value, bias: nil,
                    inFeatures: F, outFeatures: C, site: (layer, .mlpDown))
        be.add(out: a.residualOut, a.residualMid, run.projection, count: N * C)
    }

    func backward(input: FloatPointer, acts a: BlockActivations, scratch s: GradientScratch, run: BlockRun) {
        let be = run.backend, c = run.config, N = run.rows, C = c.width, F = c.ffnWidth
        run.projectBackward(dInput: s.hiddenPost, dWeight: downW.grad, dBias: nil, dOut: s.residual,
                            input: a.hiddenPost, weight: downW.value, inFeatures: F, outFeatures: C,
                            accumulateInput: false, site: (layer, .mlpDown))
        be.swigluBackward(dGateUp: s.hidden, dOut: s.hiddenPost, gateUp: a.hiddenPre, rows: N, hidden: F)
        run.projectBackward(dInput: s.norm, dWeight: gateUpW.grad, dBias: nil, dOut: s.hidden, input: a.norm2,
                            weight: gateUpW.value, inFeatures: C, outFeatures: 2 * F, accumulateInput: false,
                            site: (layer, .mlpUp))
        be.rmsNormBackward(dInput: s.residual, dWeight: norm2W.grad!, dOut: s.norm, input: a.residualMid,
                           weight: norm2W.value, rstd: a.norm2Rstd, rows: N, channels: C)
        run.projectBackward(dInput: s.attnOut, dWeight: outW.grad, dBias: nil, dOut: s.residual, input: a.attnOut,
                            weight: outW.value, inFeatures: c.attentionWidth, outFeatures: C,
                            accumulateInput: false, site: (layer, .attnOut))
        be.attentionBackward(dQKV: s.qkv, dOut: s.attnOut, qkv: a.qkv, att: a.att, scratch: s.attention,
                             shape: run.attentionShape)
        rotate(s.qkv, run: run, inverse: true)
        run.projectBackward(dInput: s.norm, dWeight: qkvW.grad, dBias: nil, dOut: s.qkv, input: a.norm1,
                            weight: qkvW.value, inFeatures: C, outFeatures: c.qkvWidth, accumulateInput: false,
                            site: (layer, .qkv))
        be.rmsNormBackward(dInput: s.residual, dWeight: norm1W.grad!, dOut: s.norm, input: input,
                           weight: norm1W.value, rstd: a.norm1Rstd, rows: N, channels: C)
    }

    /// Applies RoPE (or its inverse, the backward pass) to the q heads and the k heads of qkv[N,Q].
    private func rotate(_ qkv: FloatPointer, run: BlockRun, inverse: Bool) {
        let c = run.config, table = run.rotary!
        run.backend.rope(qkv, positions: run.positions, table: table, rows: run.rows, heads: c.heads,
                         headDim: c.headDim, rowStride: c.qkvWidth, inverse: inverse)
        run.backend.rope(qkv + c.heads * c.headDim, positions: run.positions, table: table, rows: run.rows,
                         heads: c.kvHeads, headDim: c.headDim, rowStride: c.qkvWidth, inverse: inverse)
    }
}
