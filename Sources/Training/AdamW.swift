import Models
import Tensor

/// AdamW with `torch.optim.AdamW`'s exact semantics over one `ParameterStore` (llm.c style: parameters,
/// gradients and the two moments each in one flat allocation with the same layout).
///
/// Step t (from 1), for every float with gradient g:
///
///     p ← p − lr·λ·p                     (decoupled decay; only where the tensor's role decays)
///     m ← β1·m + (1 − β1)·g
///     v ← β2·v + (1 − β2)·g²
///     p ← p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
///
/// Gradients are read, never zeroed (call `store.zeroGradients()` between steps, as with PyTorch).
/// For a checkpoint, save `moments` and `stepCount`; `restore(moments:stepCount:)` loads them back.
/// Not synchronised: one owner (the learner) steps it at a time.
public final class AdamW: @unchecked Sendable {
    /// The parameters (values and gradients) this optimizer updates.
    public let store: ParameterStore
    /// Hyper-parameters (validated at init).
    public let config: AdamWConfig
    /// The runs of the flat buffer with their weight-decay decision, computed once from the store's specs.
    public let decaySegments: [WeightDecaySegment]
    /// First then second moment: m [count] at offset 0, v [count] at offset `store.count` (2·count floats).
    public let moments: FloatBuffer
    /// Steps taken so far (the next step is `stepCount + 1`; bias corrections use it).
    public var stepCount: Int = 0

    /// An optimizer for `store` (its gradients are enabled if they were not), with zeroed moments.
    public init(store: ParameterStore, config: AdamWConfig = AdamWConfig()) throws(OptimizerError) {
        try config.validate()
        store.enableGradients()
        self.store = store
        self.config = config
        self.decaySegments = WeightDecaySegment.segments(for: store.specs, count: store.count,
                                                         decayEmbeddings: config.decayEmbeddings)
        self.moments = FloatBuffer(count: 2 * store.count)
    }

    /// First moment m [count].
    public var firstMoment: FloatPointer { moments.pointer }
    /// Second moment v [count].
    public var secondMoment: FloatPointer { moments.pointer + store.count }

    /// The learning rate the next `step()` uses: the schedule at `stepCount`.
    public var currentLearningRate: Double { config.schedule.lr(at: stepCount) }

    /// One update at the schedule's learning rate for this step; returns the learning rate used.
    @discardableResult
    public func step() -> Double {
        let lr = currentLearningRate
        step(lr: lr)
        return lr
    }

    /// One update at learning rate `lr` (the schedule is not consulted).
    public func step(lr: Double) {
        guard let gradients = store.gradients else { preconditionFailure("AdamW.init enables gradients") }
        stepCount += 1
        let decayed = AdamWStepScalars(t: stepCount, lr: lr, config: config, decays: true)
        let kept = AdamWStepScalars(t: stepCount, lr: lr, config: config, decays: false)
        let p = store.values.pointer, g = gradients.pointer
        let m = firstMoment, v = secondMoment
        let segments = decaySegments
        // each worker walks the segments that intersect its chunk of the flat buffer
        Parallel.forRanges(store.count, costPerItem: 8) { chunk in
            var s = segments.partitioningIndex { $0.range.upperBound > chunk.lowerBound }
            while s < segments.count, segments[s].range.lowerBound < chunk.upperBound {
                let segment = segments[s]
                let range = max(segment.range.lowerBound, chunk.lowerBound)..<min(segment.range.upperBound, chunk.upperBound)
                AdamWKernel.update(range, p: p, g: g, m: m, v: v, segment.decays ? decayed : kept)
                s += 1
            }
        }
    }

    /// Loads moments and step count saved from an optimizer over the same layout (a checkpoint).
    /// `moments` must hold m then v, 2·`store.count` floats.
    public func restore(moments saved: UnsafeBufferPointer<Float>, stepCount: Int) throws(OptimizerError) {
        guard saved.count == moments.count, let base = saved.baseAddress else {
            throw .stateSizeMismatch(expected: moments.count, got: saved.count)
        }
        guard stepCount >= 0 else {
            throw .invalidHyperparameter(name: "step count", value: Double(stepCount), requirement: ">= 0")
        }
        moments.pointer.update(from: base, count: saved.count)
        self.stepCount = stepCount
    }

    /// Forgets all state: zero moments, step 0.
    public func reset() {
        moments.zero()
        stepCount = 0
    }
}

fileprivate extension Array {
    /// The first index whose element satisfies `belongs`, for a predicate that is false then true
    /// along the array (binary search); `count` when none does.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongs(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
