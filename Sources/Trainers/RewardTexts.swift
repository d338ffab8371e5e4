import Datasets
import Tensor

/// A text with a 0/1 label (an IMDb review: 1 positive), for a reward model trained with binary cross-entropy.
public struct LabelledText: Equatable, Sendable {
    /// The text.
    public let text: String
    /// The label: 1 for the preferred class, 0 for the other.
    public let label: Int

    /// A text and its label.
    public init(text: String, label: Int) {
        self.text = text
        self.label = label
    }
}

/// A reward model's data before tokenizing: preference pairs, or labelled texts.
public enum RewardTexts: Sendable {
    case pairs([PreferencePair])
    case labelled([LabelledText])

    /// Number of pairs or texts.
    public var count: Int {
        switch self {
        case .pairs(let p): p.count
        case .labelled(let l): l.count
        }
    }

    /// The same kind with nothing in it.
    package var emptied: RewardTexts {
        switch self {
        case .pairs: .pairs([])
        case .labelled: .labelled([])
        }
    }

    /// Train and held-out parts: pairs by line order (or by group, DExperts' prompt ids), labelled texts by
    /// a seeded shuffle (a labelled file is often sorted by label).
    package func split(evalFraction: Double, byGroup: Bool, seed: UInt64) -> (RewardTexts, RewardTexts) {
        switch self {
        case .pairs(let pairs):
            let (train, eval) = byGroup ? PreferenceSplit.byGroup(pairs, evalFraction: evalFraction)
                                        : PreferenceSplit.byOrder(pairs, evalFraction: evalFraction)
            return (.pairs(train), .pairs(eval))
        case .labelled(let texts):
            var rng = SplitMix64(seed: seed)
            let order = rng.shuffled(Array(texts.indices))
            let held = Int((Double(texts.count) * evalFraction).rounded())
            return (.labelled(order[held...].map { texts[$0] }), .labelled(order[..<held].map { texts[$0] }))
        }
    }

    /// A seeded subsample of `n` (all when there are fewer): labelled texts take n/2 of each label (the
    /// rest of an odd n, and any shortfall, from the other), in a shuffled order.
    package func sample(_ n: Int, seed: UInt64) -> RewardTexts {
        switch self {
        case .pairs(let pairs):
            return .pairs(PreferenceSplit.sample(pairs, count: n, seed: seed))
        case .labelled(let texts):
            guard n < texts.count else { return self }
            var rng = SplitMix64(seed: seed)
            let positive = rng.shuffled(texts.indices.filter { texts[$0].label == 1 })
            let negative = rng.shuffled(texts.indices.filter { texts[$0].label != 1 })
            let takePositive = min(positive.count, max(n / 2, n - negative.count))
            let chosen = Array(positive.prefix(takePositive)) + Array(negative.prefix(n - takePositive))
            return .labelled(rng.shuffled(chosen).map { texts[$0] })
        }
    }
}
