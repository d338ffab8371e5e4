import Models

/// A run of the flat parameter allocation whose tensors all share one weight-decay decision.
///
/// The segments of a store cover `0..<store.count` back to back, alignment padding included (padding
/// has zero gradients, so updating it changes nothing). Adjacent tensors with the same decision merge
/// into one segment: GPT-2 small becomes ~100 segments over 124M floats.
package struct WeightDecaySegment: Sendable, Equatable {
    /// Float offsets covered.
    package var range: Range<Int>
    /// Whether these floats are decayed.
    package var decays: Bool

    /// Creates a segment.
    package init(range: Range<Int>, decays: Bool) {
        self.range = range; self.decays = decays
    }

    /// Whether a tensor of `role` is decayed: matrices yes, vectors (norms, biases) no, embeddings on request.
    package static func decays(_ role: ParameterRole, decayEmbeddings: Bool) -> Bool {
        switch role {
        case .matrix: return true
        case .vector: return false
        case .embedding: return decayEmbeddings
        }
    }

    /// The segments of a layout: `specs` in layout order (increasing offsets), `count` floats in all.
    package static func segments(for specs: [ParameterSpec], count: Int, decayEmbeddings: Bool) -> [WeightDecaySegment] {
        var segments: [WeightDecaySegment] = []
        for (i, spec) in specs.enumerated() {
            let start = i == 0 ? 0 : spec.offset
            let end = i + 1 < specs.count ? specs[i + 1].offset : count
            let decays = decays(spec.role, decayEmbeddings: decayEmbeddings)
            if let last = segments.last, last.decays == decays {
                segments[segments.count - 1].range = last.range.lowerBound..<end
            } else {
                segments.append(WeightDecaySegment(range: start..<end, decays: decays))
            }
        }
        return segments
    }
}
