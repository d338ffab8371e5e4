import Models
import Tensor

/// AdamW with `torch.optim.AdamW`'s exact semantics over one or more parameter groups (llm.c style:
/// each group's parameters, gradients and the two moments are flat allocations with the same layout).
///
/// Step t (from 1), for every float with gradient g, with the group's learning rate and decay:
///
///     p ← p − lr·λ·p                     (decoupled decay; only where the tensor's role decays)
///     m ← β1·m + (1 − β1)·g
///     v ← β2·v + (1 − β2)·g²
///     p ← p − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
///
/// Groups are PyTorch's parameter groups: a trunk, a value head and (later) LoRA adapters each step with
/// their own schedule and weight decay, and share the step count. The update itself is a backend call.
/// Gradients are read, never zeroed (call `store.zeroGradients()` between steps, as with PyTorch).
/// For a checkpoint, save each group's `moments` and `stepCount`; `restore` loads them back.
/// Not synchronised: one owner (the learner) steps it at a time.
public final class AdamW: @unchecked Sendable {
    /// One parameter group: a store with its own hyper-parameters and moments.
    public final class Group: @unchecked Sendable {
        /// The parameters (values and gradients) this group updates.
        public let store: ParameterStore
        /// Hyper-parameters (validated at init).
        public let config: AdamWConfig
        /// The runs of the flat buffer with their weight-decay decision, computed once from the specs.
        package let decaySegments: [WeightDecaySegment]
        /// First then second moment: m [count] at offset 0, v [count] at offset `store.count`.
        public let moments: FloatBuffer

        init(store: ParameterStore, config: AdamWConfig) throws(OptimizerError) {
            try config.validate()
            guard !store.isFrozen else { throw .frozenParameters }
            store.enableGradients()
            self.store = store
            self.config = config
            decaySegments = WeightDecaySegment.segments(for: store.specs, count: store.count,
                                                        decayEmbeddings: config.decayEmbeddings)
            moments = store.backend.makeBuffer(count: 2 * store.count)
        }
    }

    /// The groups, stepped in order.
    public let groups: [Group]
    /// Steps taken so far (the next step is `stepCount + 1`; bias corrections use it).
    public var stepCount: Int = 0

    /// An optimizer over `groups` (store and config each); every store gets gradients, none may be frozen.
    public init(groups: [(store: ParameterStore, config: AdamWConfig)]) throws(OptimizerError) {
        guard !groups.isEmpty else { throw .noParameterGroups }
        var built: [Group] = []
        for (store, config) in groups { built.append(try Group(store: store, config: config)) }
        self.groups = built
    }

    /// An optimizer for one store (its gradients are enabled if they were not), with zeroed moments.
    public convenience init(store: ParameterStore, config: AdamWConfig = AdamWConfig()) throws(OptimizerError) {
        try self.init(groups: [(store, config)])
    }

    /// The first group's store.
    public var store: ParameterStore { groups[0].store }
    /// The first group's hyper-parameters.
    public var config: AdamWConfig { groups[0].config }
    /// The first group's decay segments.
    package var decaySegments: [WeightDecaySegment] { groups[0].decaySegments }
    /// The first group's moments (m then v).
    public var moments: FloatBuffer { groups[0].moments }
    /// The first group's first moment m [count].
    public var firstMoment: FloatPointer { groups[0].moments.pointer }
    /// The first group's second moment v [count].
    public var secondMoment: FloatPointer { groups[0].moments.pointer + groups[0].store.count }

    /// The learning rate the next `step()` uses in the first group: its schedule at `stepCount`.
    public var currentLearningRate: Double { config.schedule.lr(at: stepCount) }

    /// One update, each group at its schedule's learning rate for this step; returns the first group's.
    @discardableResult
    public func step() -> Double {
        let rates = groups.map { $0.config.schedule.lr(at: stepCount) }
        stepCount += 1
        for (group, lr) in zip(groups, rates) { update(group, lr: lr) }
        return rates[0]
    }

    /// One update of every group at learning rate `lr` (the schedules are not consulted).
    public func step(lr: Double) {
        stepCount += 1
        for group in groups { update(group, lr: lr) }
    }

    private func update(_ group: Group, lr: Double) {
        let store = group.store, c = group.config
        guard let gradients = store.gradients else { preconditionFailure("Group.init enables gradients") }
        let scalars = [false, true].map { decays in
            AdamWScalars(t: stepCount, lr: lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon,
                         weightDecay: decays ? c.weightDecay : 0)
        }
        let segments = group.decaySegments.map { OptimizerSegment(range: $0.range, scalarsIndex: $0.decays ? 1 : 0) }
        store.backend.adamWStep(parameters: store.values.pointer, gradients: gradients.pointer,
                                firstMoment: group.moments.pointer, secondMoment: group.moments.pointer + store.count,
                                count: store.count, segments: segments, scalars: scalars)
    }

    /// Loads moments and step count saved from a one-group optimizer over the same layout (a checkpoint).
    /// `moments` must hold m then v, 2·`store.count` floats.
    public func restore(moments saved: UnsafeBufferPointer<Float>, stepCount: Int) throws(OptimizerError) {
        try restore(groupMoments: [saved], stepCount: stepCount)
    }

    /// The largest step count a restored optimizer accepts (2^40 steps: far past any run, far from overflow).
    public static let maximumStepCount = 1 << 40

    /// Loads every group's moments (m then v, in group order) and the step count, refusing moments that no
    /// run produces (NaN, infinite, or a negative second moment) before anything is changed.
    public func restore(groupMoments saved: [UnsafeBufferPointer<Float>], stepCount: Int) throws(OptimizerError) {
        guard saved.count == groups.count else {
            throw .stateSizeMismatch(expected: groups.count, got: saved.count)
        }
        for (group, moments) in zip(groups, saved) where moments.count != group.moments.count || moments.baseAddress == nil {
            throw .stateSizeMismatch(expected: group.moments.count, got: moments.count)
        }
        guard stepCount >= 0, stepCount <= Self.maximumStepCount else {
            throw .invalidHyperparameter(name: "step count", value: Double(stepCount), requirement: "between 0 and \(Self.maximumStepCount)")
        }
        for (g, (group, moments)) in zip(groups, saved).enumerated() {
            let count = group.store.count
            if let bad = moments.indices.first(where: { !moments[$0].isFinite || ($0 >= count && moments[$0] < 0) }) {
                throw .invalidState(group: g, index: bad, value: moments[bad])
            }
        }
        for (group, moments) in zip(groups, saved) { group.store.backend.upload(moments, to: group.moments.pointer) }
        self.stepCount = stepCount
    }

    /// `restore(groupMoments:stepCount:)` from arrays (a checkpoint's decoded tensors).
    public func restore(groupMoments saved: [[Float]], stepCount: Int) throws(OptimizerError) {
        func nest(_ index: Int, _ buffers: [UnsafeBufferPointer<Float>]) throws(OptimizerError) {
            guard index < saved.count else { return try restore(groupMoments: buffers, stepCount: stepCount) }
            var failure: OptimizerError?
            saved[index].withUnsafeBufferPointer { buffer in
                do throws(OptimizerError) { try nest(index + 1, buffers + [buffer]) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        try nest(0, [])
    }

    /// Forgets all state: zero moments, step 0.
    public func reset() {
        for group in groups { group.store.backend.zero(group.moments.pointer, count: group.moments.count) }
        stepCount = 0
    }
}
