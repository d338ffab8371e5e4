import Tensor

/// A LoRA adapter (Hu et al. 2021, PEFT's `LoraModel`) on a causal LM's projections: for each slot
/// (one targeted projection of one layer) A [r, in] and B [rows, r] live in the adapter's own
/// `ParameterStore`, so an optimizer given only this store trains only the adapter, and the base can be
/// frozen (no gradient or moment memory for it). A projection's output gains
///
///     out[:, rowOffset ..< rowOffset + rows] += scale · (x · Aᵀ) · Bᵀ,   scale = alpha / r
///
/// after the base product (and its bias). A starts as PEFT's default, kaiming-uniform with a = √5
/// (U(−1/√in, 1/√in), seeded SplitMix64 here, so not PEFT's numbers), and B at zero, so a new adapter
/// changes nothing. All math goes through the `Backend`. Not synchronised: its scratch buffers serve
/// one pass at a time, so attach one adapter to one model that one thread runs.
public final class LoRAAdapter: @unchecked Sendable {
    /// Rank, alpha and targets.
    public let config: LoRAConfig
    /// The model shape the adapter fits.
    public let model: TransformerConfig
    /// A and B of every slot: `<slot>.lora_A` [r, in], `<slot>.lora_B` [rows, r].
    public let parameters: ParameterStore
    /// Every adapted projection, layer by layer.
    package let slots: [LoRASlot]
    /// alpha / r.
    public var scale: Float { config.scale }
    private let backend: Backend
    /// bySite[layer][projection] = indices into `slots`
    private let bySite: [[LoRAProjection: [Int]]]
    /// forward/backward scratch: u [N,r], du [N,r], delta or gathered dOut [N,rows]
    private var scratch: FloatBuffer?

    /// An adapter for `model` with A kaiming-uniform from `seed` and B = 0.
    public init(config: LoRAConfig, model: TransformerConfig, backend: Backend = DefaultBackend.current,
                seed: UInt64 = 0) throws(LoRAError) {
        guard config.alpha > 0, config.alpha.isFinite else { throw .alpha(config.alpha) }
        let slots = try LoRASlot.slots(for: model, targets: config.targets)
        let smallest = slots.map { min($0.rows, $0.inFeatures) }.min() ?? 0
        guard config.rank >= 1, config.rank <= smallest else { throw .rank(config.rank) }
        self.config = config
        self.model = model
        self.slots = slots
        self.backend = backend
        let r = config.rank
        parameters = ParameterStore(specs: slots.flatMap { s in
            [(s.name + ".lora_A", [r, s.inFeatures], ParameterRole.matrix), (s.name + ".lora_B", [s.rows, r], .matrix)]
        }, backend: backend)
        var sites = [[LoRAProjection: [Int]]](repeating: [:], count: model.layers)
        for (i, s) in slots.enumerated() { sites[s.layer][s.projection, default: []].append(i) }
        bySite = sites
        initializeA(seed: seed)
    }

    /// A of every slot ~ U(−1/√in, 1/√in) from `seed`; B untouched.
    public func initializeA(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for s in slots {
            let bound = 1 / Float(s.inFeatures).squareRoot()
            let host = (0..<(config.rank * s.inFeatures)).map { _ in (2 * rng.nextUnitFloat() - 1) * bound }
            backend.upload(host, to: a(s))
        }
    }

    /// A [r, in] of `slot`.
    package func a(_ slot: LoRASlot) -> FloatPointer { parameters.value(slot.name + ".lora_A") }
    /// B [rows, r] of `slot`.
    package func b(_ slot: LoRASlot) -> FloatPointer { parameters.value(slot.name + ".lora_B") }

    /// Whether `layer`'s `projection` carries an adapter.
    func adapts(layer: Int, _ projection: LoRAProjection) -> Bool { bySite[layer][projection] != nil }

    /// Floats of scratch for `rows` input rows: u and du [N,r] and one [N, rows of the widest slot].
    private func scratch(rows N: Int) -> FloatPointer {
        let widest = slots.map(\.rows).max() ?? 0
        let need = N * (2 * config.rank + widest)
        if (scratch?.count ?? 0) < need { scratch = backend.makeBuffer(count: need) }
        return scratch!.pointer
    }

    /// out[N, outStride] += the adapters of `layer`'s `projection` on input[N, in].
    func forward(layer: Int, _ projection: LoRAProjection, out: FloatPointer, outStride: Int, input: FloatPointer, rows N: Int) {
        guard let indices = bySite[layer][projection] else { return }
        let r = config.rank, base = scratch(rows: N)
        let u = base, delta = base + 2 * N * r  // u [N,r], delta [N,rows]
        for i in indices {
            let s = slots[i]
            backend.matmulForward(out: u, input: input, weight: a(s), bias: nil, rows: N, inFeatures: s.inFeatures, outFeatures: r)
            backend.scale(u, count: N * r, by: scale)
            backend.matmulForward(out: delta, input: u, weight: b(s), bias: nil, rows: N, inFeatures: r, outFeatures: s.rows)
            backend.addColumns(out: out + s.rowOffset, outStride: outStride, source: delta, rows: N, columns: s.rows)
        }
    }

    /// From dOut[N, outStride] of `layer`'s `projection` (whose input was input[N, in]): dA +=, dB +=
    /// (when the adapter has gradients) and dInput[N, in] += the adapter path's input gradient.
    /// u = scale·x·Aᵀ is recomputed rather than kept (it costs N·in·r, a small share of the base product).
    func backward(layer: Int, _ projection: LoRAProjection, dOut: FloatPointer, outStride: Int, input: FloatPointer,
                  dInput: FloatPointer, rows N: Int) {
        guard let indices = bySite[layer][projection] else { return }
        let r = config.rank, base = scratch(rows: N), trains = parameters.gradients != nil
        let u = base, du = base + N * r, gathered = base + 2 * N * r  // [N,r], [N,r], [N,rows]
        for i in indices {
            let s = slots[i]
            backend.matmulForward(out: u, input: input, weight: a(s), bias: nil, rows: N, inFeatures: s.inFeatures, outFeatures: r)
            backend.scale(u, count: N * r, by: scale)
            var g = dOut + s.rowOffset  // d loss / d delta [N, rows]
            if s.rows != outStride {
                backend.copyColumns(out: gathered, source: g, sourceStride: outStride, rows: N, columns: s.rows)
                g = gathered
            }
            // du = g · B (d loss / d u), dB += gᵀ · u
            backend.matmulBackward(dInput: du, dWeight: trains ? parameters.gradient(s.name + ".lora_B") : nil, dBias: nil,
                                   dOut: g, input: u, weight: b(s), rows: N, inFeatures: r, outFeatures: s.rows,
                                   accumulateInput: false)
            backend.scale(du, count: N * r, by: scale)
            // dInput += du · A, dA += duᵀ · x
            backend.matmulBackward(dInput: dInput, dWeight: trains ? parameters.gradient(s.name + ".lora_A") : nil, dBias: nil,
                                   dOut: du, input: input, weight: a(s), rows: N, inFeatures: s.inFeatures, outFeatures: r,
                                   accumulateInput: true)
        }
    }

    /// Adds scale · B·A of every slot into its row block of `store`'s base weights (PEFT's
    /// `merge_and_unload`): the merged model computes what the model with this adapter attached does.
    public func merge(into store: ParameterStore) throws(LoRAError) {
        let r = config.rank
        let scaled = backend.makeBuffer(count: (slots.map(\.rows).max() ?? 0) * r)  // scale·B [rows, r]
        for s in slots {
            guard let spec = store.spec(named: s.baseWeight(model.architecture)), spec.shape.count == 2,
                  spec.shape[1] == s.inFeatures, spec.shape[0] >= s.rowOffset + s.rows else {
                throw .modelMismatch("no base weight \(s.baseWeight(model.architecture)) for \(s.name)")
            }
            let scaledB = scaled.pointer
            backend.copy(from: b(s), to: scaledB, count: s.rows * r)
            backend.scale(scaledB, count: s.rows * r, by: scale)
            // W[rowOffset..<rowOffset+rows, :] += (scale·B)[rows,r] · A[r,in]
            backend.matmulBackward(dInput: store.value(spec.name) + s.rowOffset * s.inFeatures, dWeight: nil, dBias: nil,
                                   dOut: scaledB, input: a(s), weight: a(s), rows: s.rows, inFeatures: s.inFeatures,
                                   outFeatures: r, accumulateInput: true)
        }
    }
}
