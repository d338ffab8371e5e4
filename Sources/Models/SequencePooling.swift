import Foundation
import Tensor

/// The `cls` and `mean` readouts of a sequence classifier: hidden[N,C] → pooled[B,C], and back.
///
/// `cls` takes row b·T of each sequence and, for BERT, its pooler: pooled = tanh(gathered · Wᵀ + b) with
/// the trunk's `pooler.weight` [C,C] and `pooler.bias` [C]. `mean` averages the real rows (mask 1).
/// The tanh and the mean run on the host over [B,C] (small next to the trunk); the gathers and the dense
/// layer go through the backend.
final class SequencePooling {
    let pooling: RewardPooling
    let width: Int
    private let backend: Backend
    private let parameters: ParameterStore
    /// Whether `cls` goes through the trunk's pooler (BERT).
    private let hasPooler: Bool
    private var gathered: FloatBuffer?  // [B,C] rows before the pooler (the mean, or the [CLS] rows)
    private var pooled: FloatBuffer?  // [B,C] what the head reads
    private var dPooled: FloatBuffer?  // [B,C]
    private var dBeforeTanh: FloatBuffer?  // [B,C]
    private var dGathered: FloatBuffer?  // [B,C]
    private var rowShare: FloatBuffer?  // [C] one position's share of a mean's gradient
    private var lastWeights: [[Float]] = []  // per row b, the weight each position t gets (mean) or [1] (cls)

    init(pooling: RewardPooling, parameters: ParameterStore, config: TransformerConfig, backend: Backend) {
        precondition(pooling != .last, "the last-token readout reads the head at every position")
        self.pooling = pooling
        width = config.width
        self.backend = backend
        self.parameters = parameters
        hasPooler = pooling == .cls && parameters.spec(named: "pooler.weight") != nil
    }

    private func buffer(_ slot: inout FloatBuffer?, rows: Int) -> FloatPointer {
        if (slot?.count ?? 0) < rows * width { slot = backend.makeBuffer(count: rows * width) }
        return slot!.pointer
    }

    /// pooled[B,C] from hidden[N,C] of `batch` (valid until the next call).
    func forward(hidden: FloatPointer, batch: TokenBatch) -> FloatPointer {
        let B = batch.batch, T = batch.length, C = width
        let g = buffer(&gathered, rows: B)
        lastWeights = rowWeights(batch)
        switch pooling {
        case .cls:
            for b in 0..<B { backend.copy(from: hidden + b * T * C, to: g + b * C, count: C) }
        case .mean:
            let states = backend.download(hidden, count: B * T * C)
            var means = [Float](repeating: 0, count: B * C)
            for b in 0..<B {
                for (t, w) in lastWeights[b].enumerated() where w != 0 {
                    for c in 0..<C { means[b * C + c] += w * states[(b * T + t) * C + c] }
                }
            }
            backend.upload(means, to: g)
        case .last:
            preconditionFailure("unreachable")
        }
        guard hasPooler else { return g }
        let out = buffer(&pooled, rows: B)
        backend.matmulForward(out: out, input: g, weight: parameters.value("pooler.weight"),
                              bias: parameters.value("pooler.bias"), rows: B, inFeatures: C, outFeatures: C)
        backend.upload(backend.download(out, count: B * C).map { tanhf($0) }, to: out)
        return out
    }

    /// What the last `forward` returned: the head's input [B,C].
    var lastPooled: FloatPointer? { hasPooler ? pooled?.pointer : gathered?.pointer }

    /// A zeroed [B,C] buffer for the head's d loss / d pooled.
    func pooledGradient(rows: Int) -> FloatPointer {
        let d = buffer(&dPooled, rows: rows)
        backend.zero(d, count: rows * width)
        return d
    }

    /// dHidden[N,C] += what d loss / d pooled (from `pooledGradient`) gives each position; the pooler's
    /// gradients +=.
    func backward(dHidden: FloatPointer, batch: TokenBatch) {
        let B = batch.batch, T = batch.length, C = width
        var dRows = buffer(&dPooled, rows: B)  // [B,C] d loss / d gathered, once through the pooler
        if hasPooler, let out = pooled, let input = gathered {
            let y = backend.download(out.pointer, count: B * C), dy = backend.download(dRows, count: B * C)
            let dPre = buffer(&dBeforeTanh, rows: B)
            backend.upload(zip(y, dy).map { y, d in d * (1 - y * y) }, to: dPre)
            let dInput = buffer(&dGathered, rows: B)
            backend.matmulBackward(dInput: dInput, dWeight: parameters.gradient("pooler.weight"),
                                   dBias: parameters.gradient("pooler.bias"), dOut: dPre, input: input.pointer,
                                   weight: parameters.value("pooler.weight"), rows: B, inFeatures: C, outFeatures: C,
                                   accumulateInput: false)
            dRows = dInput
        }
        switch pooling {
        case .cls:
            for b in 0..<B { backend.add(out: dHidden + b * T * C, dHidden + b * T * C, dRows + b * C, count: C) }
        case .mean:
            let d = backend.download(dRows, count: B * C)
            let share = buffer(&rowShare, rows: 1)  // [C]
            for b in 0..<B {
                for (t, w) in lastWeights[b].enumerated() where w != 0 {
                    backend.upload(d[(b * C)..<(b * C + C)].map { $0 * w }, to: share)
                    backend.add(out: dHidden + (b * T + t) * C, dHidden + (b * T + t) * C, share, count: C)
                }
            }
        case .last:
            preconditionFailure("unreachable")
        }
    }

    /// Per row, the weight of each position in the pooled state: 1 at position 0 (`cls`), or 1/count at
    /// each real token (`mean`).
    private func rowWeights(_ batch: TokenBatch) -> [[Float]] {
        let T = batch.length
        return (0..<batch.batch).map { b in
            if pooling == .cls { return [1] }
            let real = (0..<T).map { t in batch.mask.map { $0[b * T + t] } ?? 1 }
            let count = real.reduce(0, +)
            return real.map { count > 0 ? $0 / count : 0 }
        }
    }
}
