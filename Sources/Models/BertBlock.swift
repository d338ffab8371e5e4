import Tensor

/// BERT block (post-LayerNorm): h = LN1(x + attn(x)), then out = LN2(h + MLP(h)), with bidirectional
/// attention (padded keys masked), the exact (erf) GELU and biases everywhere.
///
/// It fills the shared `BlockActivations` slots in their order of use: `residualMid` = x + attn(x),
/// `norm1` = h (statistics `norm1Mean`/`norm1Rstd`), `norm2` = h + MLP(h) before the second norm
/// (statistics `norm2Mean`/`norm2Rstd`), `residualOut` = LN2 of it.
struct BertBlock: DecoderBlock {
    let layer: Int
    let qkvW, qkvB, outW, outB, norm1W, norm1B, upW, upB, downW, downB, norm2W, norm2B: Weight

    init(store: ParameterStore, layer l: Int) {
        layer = l
        let p = "layers.\(l)."
        qkvW = Weight(store, p + "attn.qkv.weight"); qkvB = Weight(store, p + "attn.qkv.bias")
        outW = Weight(store, p + "attn.out.weight"); outB = Weight(store, p + "attn.out.bias")
        norm1W = Weight(store, p + "attn_norm.weight"); norm1B = Weight(store, p + "attn_norm.bias")
        upW = Weight(store, p + "mlp.up.weight"); upB = Weight(store, p + "mlp.up.bias")
        downW = Weight(store, p + "mlp.down.weight"); downB = Weight(store, p + "mlp.down.bias")
        norm2W = Weight(store, p + "mlp_norm.weight"); norm2B = Weight(store, p + "mlp_norm.bias")
    }

    func forward(input: FloatPointer, acts a: BlockActivations, run: BlockRun) {
        let be = run.backend, c = run.config, N = run.rows, C = c.width, F = c.ffnWidth
        run.project(out: a.qkv, input: input, weight: qkvW.value, bias: qkvB.value, inFeatures: C, outFeatures: c.qkvWidth)
        run.attend(out: a.attnOut, att: a.att, qkv: a.qkv, layer: layer)
        run.project(out: run.projection, input: a.attnOut, weight: outW.value, bias: outB.value,
                    inFeatures: c.attentionWidth, outFeatures: C)
        be.add(out: a.residualMid, input, run.projection, count: N * C)
        be.layerNormForward(out: a.norm1, mean: a.norm1Mean, rstd: a.norm1Rstd, input: a.residualMid,
                            weight: norm1W.value, bias: norm1B.value, rows: N, channels: C, eps: c.normEps)
        run.project(out: a.hiddenPre, input: a.norm1, weight: upW.value, bias: upB.value, inFeatures: C, outFeatures: F)
        be.geluErfForward(out: a.hiddenPost, input: a.hiddenPre, count: N * F)
        run.project(out: run.projection, input: a.hiddenPost, weight: downW.value, bias: downB.value,
                    inFeatures: F, outFeatures: C)
        be.add(out: a.norm2, a.norm1, run.projection, count: N * C)
        be.layerNormForward(out: a.residualOut, mean: a.norm2Mean, rstd: a.norm2Rstd, input: a.norm2,
                            weight: norm2W.value, bias: norm2B.value, rows: N, channels: C, eps: c.normEps)
    }

    func backward(input: FloatPointer, acts a: BlockActivations, scratch s: GradientScratch, run: BlockRun) {
        let be = run.backend, c = run.config, N = run.rows, C = c.width, F = c.ffnWidth
        // second norm: s.norm = d(h + MLP(h))
        be.zero(s.norm, count: N * C)
        be.layerNormBackward(dInput: s.norm, dWeight: norm2W.grad!, dBias: norm2B.grad!, dOut: s.residual,
                             input: a.norm2, weight: norm2W.value, mean: a.norm2Mean, rstd: a.norm2Rstd, rows: N, channels: C)
        // MLP, in reverse; its input gradient adds to the skip path's, so s.norm becomes d h
        be.matmulBackward(dInput: s.hiddenPost, dWeight: downW.grad, dBias: downB.grad, dOut: s.norm,
                          input: a.hiddenPost, weight: downW.value, rows: N, inFeatures: F, outFeatures: C,
                          accumulateInput: false)
        be.geluErfBackward(dInput: s.hidden, dOut: s.hiddenPost, input: a.hiddenPre, count: N * F)
        be.matmulBackward(dInput: s.norm, dWeight: upW.grad, dBias: upB.grad, dOut: s.hidden, input: a.norm1,
                          weight: upW.value, rows: N, inFeatures: C, outFeatures: F, accumulateInput: true)
        // first norm: s.residual = d(x + attn(x))
        be.zero(s.residual, count: N * C)
        be.layerNormBackward(dInput: s.residual, dWeight: norm1W.grad!, dBias: norm1B.grad!, dOut: s.norm,
                             input: a.residualMid, weight: norm1W.value, mean: a.norm1Mean, rstd: a.norm1Rstd,
                             rows: N, channels: C)
        // attention, in reverse; the q|k|v projection's input gradient adds to the skip path's: d x
        be.matmulBackward(dInput: s.attnOut, dWeight: outW.grad, dBias: outB.grad, dOut: s.residual,
                          input: a.attnOut, weight: outW.value, rows: N, inFeatures: c.attentionWidth,
                          outFeatures: C, accumulateInput: false)
        be.attentionBackward(dQKV: s.qkv, dOut: s.attnOut, qkv: a.qkv, att: a.att, scratch: s.attention,
                             shape: run.attentionShape)
        be.matmulBackward(dInput: s.residual, dWeight: qkvW.grad, dBias: qkvB.grad, dOut: s.qkv, input: input,
                          weight: qkvW.value, rows: N, inFeatures: C, outFeatures: c.qkvWidth, accumulateInput: true)
    }
}
