import Tensor

/// GPT-2 block: x + attn(LN1(x)), then + MLP(LN2(·)) with a GELU (tanh) MLP; biases everywhere.
struct GPT2Block: DecoderBlock {
    let layer: Int
    let norm1W, norm1B, qkvW, qkvB, outW, outB, norm2W, norm2B, upW, upB, downW, downB: Weight

    /// The block `l` of `store`; `sink` [2C] takes the norms' gradients when the store has none.
    init(store: ParameterStore, layer l: Int, sink: FloatPointer? = nil) {
        layer = l
        let p = "layers.\(l).", C = store.spec(named: p + "attn_norm.weight")?.count ?? 0
        let biasSink = sink.map { $0 + C }
        norm1W = Weight(store, p + "attn_norm.weight", sink: sink); norm1B = Weight(store, p + "attn_norm.bias", sink: biasSink)
        qkvW = Weight(store, p + "attn.qkv.weight"); qkvB = Weight(store, p + "attn.qkv.bias")
        outW = Weight(store, p + "attn.out.weight"); outB = Weight(store, p + "attn.out.bias")
        norm2W = Weight(store, p + "mlp_norm.weight", sink: sink); norm2B = Weight(store, p + "mlp_norm.bias", sink: biasSink)
        upW = Weight(store, p + "mlp.up.weight"); upB = Weight(store, p + "mlp.up.bias")
        downW = Weight(store, p + "mlp.down.weight"); downB = Weight(store, p + "mlp.down.bias")
    }

    func forward(input: FloatPointer, acts a: BlockActivations, run: BlockRun) {
        let be = run.backend, c = run.config, N = run.rows, C = c.width, F = c.ffnWidth
        be.layerNormForward(out: a.norm1, mean: a.norm1Mean, rstd: a.norm1Rstd, input: input, weight: norm1W.value,
                            bias: norm1B.value, rows: N, channels: C, eps: c.normEps)
        run.project(out: a.qkv, input: a.norm1, weight: qkvW.value, bias: qkvB.value,
                    inFeatures: C, outFeatures: c.qkvWidth, site: (layer, .qkv))
        run.attend(out: a.attnOut, att: a.att, qkv: a.qkv, layer: layer)
        run.project(out: run.projection, input: a.attnOut, weight: outW.value, bias: outB.value,
                    inFeatures: c.attentionWidth, outFeatures: C, site: (layer, .attnOut))
        be.add(out: a.residualMid, input, run.projection, count: N * C)
        be.layerNormForward(out: a.norm2, mean: a.norm2Mean, rstd: a.norm2Rstd, input: a.residualMid,
                            weight: norm2W.value, bias: norm2B.value, rows: N, channels: C, eps: c.normEps)
        run.project(out: a.hiddenPre, input: a.norm2, weight: upW.value, bias: upB.value, inFeatures: C, outFeatures: F,
                    site: (layer, .mlpUp))
        be.geluForward(out: a.hiddenPost, input: a.hiddenPre, count: N * F)
        run.project(out: run.projection, input: a.hiddenPost, weight: downW.value, bias: downB.value,
                    inFeatures: F, outFeatures: C, site: (layer, .mlpDown))
        be.add(out: a.residualOut, a.residualMid, run.projection, count: N * C)
    }

    func backward(input: FloatPointer, acts a: BlockActivations, scratch s: GradientScratch, run: BlockRun) {
        let be = run.backend, c = run.config, N = run.rows, C = c.width, F = c.ffnWidth
        // MLP, in reverse
        run.projectBackward(dInput: s.hiddenPost, dWeight: downW.grad, dBias: downB.grad, dOut: s.residual,
                            input: a.hiddenPost, weight: downW.value, inFeatures: F, outFeatures: C,
                            accumulateInput: false, site: (layer, .mlpDown))
        be.geluBackward(dInput: s.hidden, dOut: s.hiddenPost, input: a.hiddenPre, count: N * F)
        run.projectBackward(dInput: s.norm, dWeight: upW.grad, dBias: upB.grad, dOut: s.hidden, input: a.norm2,
                            weight: upW.value, inFeatures: C, outFeatures: F, accumulateInput: false,
                            site: (layer, .mlpUp))
        be.layerNormBackward(dInput: s.residual, dWeight: norm2W.grad!, dBias: norm2B.grad!, dOut: s.norm,
                             input: a.residualMid, weight: norm2W.value, mean: a.norm2Mean, rstd: a.norm2Rstd,
                             rows: N, channels: C)
        // attention, in reverse
        run.projectBackward(dInput: s.attnOut, dWeight: outW.grad, dBias: outB.grad, dOut: s.residual,
                            input: a.attnOut, weight: outW.value, inFeatures: c.attentionWidth,
                            outFeatures: C, accumulateInput: false, site: (layer, .attnOut))
        be.attentionBackward(dQKV: s.qkv, dOut: s.attnOut, qkv: a.qkv, att: a.att, scratch: s.attention,
                             shape: run.attentionShape)
        run.projectBackward(dInput: s.norm, dWeight: qkvW.grad, dBias: qkvB.grad, dOut: s.qkv, input: a.norm1,
                            weight: qkvW.value, inFeatures: C, outFeatures: c.qkvWidth, accumulateInput: false,
                            site: (layer, .qkv))
        be.layerNormBackward(dInput: s.residual, dWeight: norm1W.grad!, dBias: norm1B.grad!, dOut: s.norm,
                             input: input, weight: norm1W.value, mean: a.norm1Mean, rstd: a.norm1Rstd,
                             rows: N, channels: C)
    }
}
