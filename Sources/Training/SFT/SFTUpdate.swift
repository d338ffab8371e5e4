import Models

/// Supervised fine-tuning of a causal LM on response tokens: each step runs the model on a batch
/// (`SupervisedBatch`, possibly in micro-batches), takes the cross-entropy of every response token, and
/// steps AdamW on the mean over all the batch's response tokens. The mean is token-weighted over the
/// whole batch (TRL's `SFTTrainer` with a completion-only loss), not a mean of per-row or per-chunk means,
/// so the micro-batches of a step add up to the step the whole batch takes.
///
/// The optimizer is a list of parameter groups (store and config each): the model's own parameters by
/// default; adapters (LoRA) join as groups of their own, with the trunk left out when it is frozen.
package final class SFTUpdate {
    /// The trained model.
    package let model: CausalLM
    /// The optimizer over every trained group.
    package let optimizer: AdamW
    /// The global gradient norm clip over all the groups (nil: none).
    package let maxGradNorm: Double?

    /// An update of `model` whose optimizer steps `groups`, clipping the gradients at `maxGradNorm`.
    package init(model: CausalLM, groups: [(store: ParameterStore, config: AdamWConfig)], maxGradNorm: Double? = nil) throws {
        model.enableTraining()
        self.model = model
        optimizer = try AdamW(groups: groups)
        self.maxGradNorm = maxGradNorm
    }

    /// An update of all of `model`'s parameters with one AdamW config.
    package convenience init(model: CausalLM, optimizer config: AdamWConfig, maxGradNorm: Double? = nil) throws {
        try self.init(model: model, groups: [(model.parameters, config)], maxGradNorm: maxGradNorm)
    }

    /// The stores the optimizer steps.
    private var stores: [ParameterStore] { optimizer.groups.map(\.store) }

    /// The batch's summed response-token loss under the model now, without a gradient.
    package func loss(_ batch: SupervisedBatch) throws -> SupervisedLoss {
        try model.forward(batch.tokens, training: false)
        let mean = try model.loss(targets: batch.targets)
        return SupervisedLoss(sum: Double(mean) * Double(batch.responseTokens), tokens: batch.responseTokens)
    }

    /// The summed loss over `batches` (the held-out set, batch by batch); its `mean` is per token.
    package func loss(_ batches: [SupervisedBatch]) throws -> SupervisedLoss {
        try batches.reduce(SupervisedLoss()) { $0 + (try loss($1)) }
    }

    /// Accumulates `weight` × the gradient of the batch's summed token loss into the groups' gradients
    /// (without stepping); returns the batch's summed loss. With `weight` = 1 / (tokens of the whole
    /// step), the chunks of a step add up to the gradient of its token-weighted mean.
    package func accumulateGradients(_ batch: SupervisedBatch, weight: Double) throws -> SupervisedLoss {
        try model.forward(batch.tokens, training: true)
        let mean = try model.loss(targets: batch.targets)
        let perToken = Float(weight)
        try model.backward(dLoss: batch.targets.map { $0 >= 0 ? perToken : 0 })  // [B·T]
        return SupervisedLoss(sum: Double(mean) * Double(batch.responseTokens), tokens: batch.responseTokens)
    }

    /// One optimizer step on a batch given as `chunks` (micro-batches of whole examples), their gradients
    /// accumulated one chunk at a time: one chunk's activations are alive at once, and the step is the
    /// one the whole batch would take.
    package func step(chunks: [SupervisedBatch]) throws -> SFTStepStatistics {
        let tokens = chunks.reduce(0) { $0 + $1.responseTokens }
        guard tokens > 0 else { throw SFTInputError.empty }
        var total = SupervisedLoss()
        for chunk in chunks { total = total + (try accumulateGradients(chunk, weight: 1 / Double(tokens))) }
        do { try NonFiniteStepError.check(trainer: "SFT", loss: total.mean, gradientNorm: GradientClipping.globalNorm(of: stores)) } catch {
            for store in stores { store.zeroGradients() }
            throw error
        }
        let norm = maxGradNorm.map { GradientClipping.clipGlobalNorm(of: stores, maxNorm: $0) } ?? GradientClipping.globalNorm(of: stores)
        let lr = optimizer.step()
        for store in stores { store.zeroGradients() }
        return SFTStepStatistics(loss: total.mean, tokens: tokens, gradNorm: norm, learningRate: lr)
    }

    /// One optimizer step on `batch` whole.
    package func step(_ batch: SupervisedBatch) throws -> SFTStepStatistics { try step(chunks: [batch]) }
}
