import Models
import Tensor

/// Training steps of a reward model (`SequenceClassifier`): a batch of pairs under the Bradley-Terry loss,
/// or of labelled texts under binary cross-entropy, then AdamW over the trunk (its pooler included) and
/// the head, each its own parameter group. The batch runs in groups of similar length (`LengthGroups`,
/// a pair's two rows always together), each padded to its own longest row, their gradients summed: the
/// step of the whole padded batch without the padding's work.
public final class RewardModelUpdate {
    /// The model being trained.
    public let model: SequenceClassifier
    /// Its optimizer.
    public let optimizer: AdamW
    /// The pad id of right-padded batches.
    public let padID: Int

    /// What one step measured.
    public struct Statistics: Sendable {
        /// The batch's mean loss before the step.
        public var loss: Double
        /// Its accuracy before the step.
        public var accuracy: Double
        /// The global gradient norm (after clipping, if any).
        public var gradNorm: Double
        /// The learning rate the step took.
        public var learningRate: Double
    }

    /// An update of `model` with `optimizer` settings for every group; `maxGradNorm` clips the global norm.
    public init(model: SequenceClassifier, optimizer config: AdamWConfig, padID: Int, maxGradNorm: Double? = 1.0) throws {
        self.model = model
        self.padID = padID
        self.maxGradNorm = maxGradNorm
        optimizer = try AdamW(groups: [(model.parameters, config), (model.head.parameters, config)])
    }

    private let maxGradNorm: Double?

    /// Padding tokens worth one more pass when grouping a batch by length.
    public var groupOverhead = 256

    /// One step on pairs: rows `chosen[i]` and `rejected[i]` (token ids), optional margins.
    public func step(chosen: [[Int]], rejected: [[Int]], margins: [Double]? = nil) throws -> Statistics {
        let lengths = zip(chosen, rejected).map { max($0.count, $1.count) }
        return try step(groups: LengthGroups.plan(lengths: lengths, rowsPerItem: 2, overhead: groupOverhead)) { group in
            let rewards = try model.rewards(RewardBatch.padded(group.map { chosen[$0] } + group.map { rejected[$0] }, padID: padID),
                                            training: true)
            let n = group.count
            return RewardLoss.bradleyTerry(chosen: rewards[..<n].map(Double.init), rejected: rewards[n...].map(Double.init),
                                           margins: margins.map { m in group.map { m[$0] } })
        }
    }

    /// One step on labelled texts (labels 0 or 1) with the reward as the logit.
    public func step(texts: [[Int]], labels: [Int]) throws -> Statistics {
        try step(groups: LengthGroups.plan(lengths: texts.map(\.count), overhead: groupOverhead)) { group in
            let logits = try model.rewards(RewardBatch.padded(group.map { texts[$0] }, padID: padID), training: true)
            return RewardLoss.binaryCrossEntropy(logits: logits.map(Double.init), labels: group.map { labels[$0] })
        }
    }

    /// Runs each group's training pass (`loss` gives its mean loss and reward gradient), backpropagates it
    /// weighted by the group's share of the batch, then clips, steps and clears the gradients. A
    /// non-finite loss stops before any step.
    private func step(groups: [[Int]], loss: ([Int]) throws -> RewardLoss.Result) throws -> Statistics {
        let total = Double(groups.reduce(0) { $0 + $1.count })
        model.parameters.zeroGradients()
        model.head.parameters.zeroGradients()
        var meanLoss = 0.0, accuracy = 0.0
        for group in groups {
            let result = try loss(group)
            guard result.loss.isFinite else {
                model.parameters.zeroGradients()
                model.head.parameters.zeroGradients()
                throw NonFiniteStepError(trainer: "reward model", what: "loss", value: result.loss)
            }
            let share = Double(group.count) / total
            meanLoss += result.loss * share
            accuracy += result.accuracy * share
            try model.backward(rewards: result.gradient.map { Float($0 * share) })
        }
        let stores = [model.parameters, model.head.parameters]
        do { try NonFiniteStepError.check(trainer: "reward model", loss: meanLoss, gradientNorm: GradientClipping.globalNorm(of: stores)) } catch {
            for store in stores { store.zeroGradients() }
            throw error
        }
        let norm = maxGradNorm.map { GradientClipping.clipGlobalNorm(of: stores, maxNorm: $0) } ?? GradientClipping.globalNorm(of: stores)
        let lr = optimizer.step()
        return Statistics(loss: meanLoss, accuracy: accuracy, gradNorm: norm, learningRate: lr)
    }
}
