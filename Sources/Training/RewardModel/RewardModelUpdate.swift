import Models
import Tensor

/// Training steps of a reward model (`SequenceClassifier`): a batch of pairs under the Bradley-Terry loss,
/// or of labelled texts under binary cross-entropy, in one forward and backward pass, then AdamW over the
/// trunk (its pooler included) and the head, each its own parameter group.
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

    /// One step on pairs: rows `chosen[i]` and `rejected[i]` (token ids), optional margins.
    public func step(chosen: [[Int]], rejected: [[Int]], margins: [Double]? = nil) throws -> Statistics {
        let rewards = try model.rewards(RewardBatch.padded(chosen + rejected, padID: padID), training: true)
        let n = chosen.count
        let result = RewardLoss.bradleyTerry(chosen: rewards[..<n].map(Double.init), rejected: rewards[n...].map(Double.init),
                                             margins: margins)
        return try apply(result)
    }

    /// One step on labelled texts (labels 0 or 1) with the reward as the logit.
    public func step(texts: [[Int]], labels: [Int]) throws -> Statistics {
        let logits = try model.rewards(RewardBatch.padded(texts, padID: padID), training: true)
        return try apply(RewardLoss.binaryCrossEntropy(logits: logits.map(Double.init), labels: labels))
    }

    /// Backpropagates the loss's reward gradient, clips, steps and clears the gradients.
    private func apply(_ result: RewardLoss.Result) throws -> Statistics {
        guard result.loss.isFinite else { throw RewardTrainingError.nonFiniteLoss }
        model.parameters.zeroGradients()
        model.head.parameters.zeroGradients()
        try model.backward(rewards: result.gradient.map(Float.init))
        let stores = [model.parameters, model.head.parameters]
        let norm = maxGradNorm.map { GradientClipping.clipGlobalNorm(of: stores, maxNorm: $0) } ?? GradientClipping.globalNorm(of: stores)
        let lr = optimizer.step()
        return Statistics(loss: result.loss, accuracy: result.accuracy, gradNorm: norm, learningRate: lr)
    }
}

/// Why a reward-model step stopped.
public enum RewardTrainingError: Error, Equatable, CustomStringConvertible {
    /// The loss was NaN or infinite: the step was not taken.
    case nonFiniteLoss

    public var description: String {
        switch self {
        case .nonFiniteLoss: "the reward model's loss is not finite (learning rate too high?); the step was not taken"
        }
    }
}
