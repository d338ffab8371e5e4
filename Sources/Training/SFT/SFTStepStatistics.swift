/// What one SFT step did, under `transformers`' metric names once logged.
package struct SFTStepStatistics: Sendable, Equatable {
    /// The batch's mean loss per response token (`loss`).
    package var loss: Double
    /// The response tokens the loss is over.
    package var tokens: Int
    /// The global gradient norm over every trained group, before clipping (`grad_norm`).
    package var gradNorm: Double
    /// The learning rate the first group stepped at (`learning_rate`).
    package var learningRate: Double
}
