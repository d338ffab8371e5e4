import Tensor

/// A copy of every projection weight of a model (the `.matrix` parameters, and the embedding when it is
/// also the LM head) in the backend's packed layout, for generation: each decoding step multiplies
/// every weight by only a few rows, and the packed layout lets the backend stream it once per step
/// instead of repacking it on every call.
///
/// The copy is a snapshot: `refresh()` re-reads the parameters (the generator calls it at the start of
/// every `generate`, so weights updated by training between calls are always seen). It costs one more
/// buffer the size of those weights.
package final class PackedWeights: @unchecked Sendable {
    private struct Entry {
        let source: FloatPointer
        let packed: FloatPointer
        let inFeatures: Int, outFeatures: Int
    }

    private let backend: Backend
    private let storage: FloatBuffer
    private let entries: [Entry]
    private let bySource: [FloatPointer: FloatPointer]

    /// Allocates the packed copy of `model`'s projection weights and fills it.
    package init(model: CausalLM) {
        let backend = model.backend
        self.backend = backend
        let store = model.parameters
        let specs = Self.projectionSpecs(of: model)
        let sizes = specs.map { backend.packedWeightCount(inFeatures: $0.shape[1], outFeatures: $0.shape[0]) }
        storage = backend.makeBuffer(count: sizes.reduce(0, +))
        var offset = 0
        var entries: [Entry] = []
        for (spec, size) in zip(specs, sizes) {
            entries.append(Entry(source: store.value(spec.name), packed: storage.pointer + offset,
                                 inFeatures: spec.shape[1], outFeatures: spec.shape[0]))
            offset += size
        }
        self.entries = entries
        bySource = Dictionary(uniqueKeysWithValues: entries.map { ($0.source, $0.packed) })
        refresh()
    }

    /// The parameters a packed copy holds: every projection weight [out, in] and the LM head.
    package static func projectionSpecs(of model: CausalLM) -> [ParameterSpec] {
        let headName = model.config.tiedEmbeddings ? "embed.tokens" : "lm_head.weight"
        return model.parameters.specs.filter { $0.role == .matrix || $0.name == headName }
    }

    /// Re-packs every weight from the model's current parameter values.
    package func refresh() {
        for e in entries {
            backend.packWeight(e.source, into: e.packed, inFeatures: e.inFeatures, outFeatures: e.outFeatures)
        }
    }

    /// Floats held by the packed copy.
    package var floatCount: Int { storage.count }

    /// The packed copy of the weight stored at `weight`, if it is one of the model's projections.
    package func packed(_ weight: FloatPointer) -> FloatPointer? { bySource[weight] }
}

extension Backend {
    /// out[N,OC] = input[N,C] · weight[OC,C]ᵀ (+ bias[OC]), from `packed`'s copy of the weight when it
    /// holds one, else from the weight as stored.
    func matmulForward(out: FloatPointer, input: FloatPointer, weight: FloatPointer, packed: PackedWeights?,
                       bias: FloatPointer?, rows: Int, inFeatures: Int, outFeatures: Int) {
        if let panels = packed?.packed(weight) {
            packedMatmulForward(out: out, input: input, packed: panels, bias: bias, rows: rows,
                                inFeatures: inFeatures, outFeatures: outFeatures)
        } else {
            matmulForward(out: out, input: input, weight: weight, bias: bias, rows: rows,
                          inFeatures: inFeatures, outFeatures: outFeatures)
        }
    }
}
