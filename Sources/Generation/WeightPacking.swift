/// When a `Generator` multiplies by a packed snapshot of the weights (`PackedWeights`) rather than the
/// weights as stored.
///
/// Packing costs one re-pack per `generate` (~56 ms for SmolLM2-135M on 2 cores) and a second copy of
/// the projection weights. It pays from a few dozen rows per step (1.3x faster steps at batch 32); up to
/// 16 rows the stored weights are streamed by a decoding kernel that is as fast, so packing gains nothing.
public enum WeightPacking: Sendable, Equatable {
    /// Never pack: no second copy of the weights.
    case never
    /// Pack for every batch.
    case always
    /// Pack for batches of more than this many prompts.
    case batchesLargerThan(Int)

    /// Packs for batches above 16 prompts, where measured on the CPU it is faster.
    public static let automatic = WeightPacking.batchesLargerThan(16)

    /// Whether a batch of `batch` prompts is generated from packed weights.
    public func packs(batch: Int) -> Bool {
        switch self {
        case .never: false
        case .always: true
        case .batchesLargerThan(let limit): batch > limit
        }
    }
}
