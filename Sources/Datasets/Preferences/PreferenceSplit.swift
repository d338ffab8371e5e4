import Tensor

/// Deterministic train/eval splits and seeded subsamples of preference pairs. The held-out share is
/// `evalFraction` of the lines (or prompts) rounded to the nearest whole number, taken from the end;
/// fractions outside [0, 1] are clamped.
public enum PreferenceSplit {
    /// HH and generic pairs: by line order, the first (1 - evalFraction) train, the rest eval.
    public static func byOrder(_ pairs: [PreferencePair], evalFraction: Double) -> (train: [PreferencePair], eval: [PreferencePair]) {
        let trainCount = pairs.count - heldOut(of: pairs.count, evalFraction)
        return (Array(pairs[..<trainCount]), Array(pairs[trainCount...]))
    }

    /// DExperts: by prompt id (`group`), ids sorted numerically, the first (1 - evalFraction) of the
    /// prompts train, so all the pairs of one prompt fall on one side; each side keeps the line order.
    /// Ids that are not whole numbers sort after those that are, by their text; a pair without a group
    /// counts as the group "".
    public static func byGroup(_ pairs: [PreferencePair], evalFraction: Double) -> (train: [PreferencePair], eval: [PreferencePair]) {
        let groups = Set(pairs.map { $0.group ?? "" }).sorted(by: groupOrder)
        let trainGroups = Set(groups.prefix(groups.count - heldOut(of: groups.count, evalFraction)))
        var train: [PreferencePair] = [], eval: [PreferencePair] = []
        for pair in pairs {
            if trainGroups.contains(pair.group ?? "") { train.append(pair) } else { eval.append(pair) }
        }
        return (train, eval)
    }

    /// A seeded random subsample of n (all when n >= count, none when n <= 0), in the original order.
    public static func sample(_ pairs: [PreferencePair], count n: Int, seed: UInt64) -> [PreferencePair] {
        if n >= pairs.count { return pairs }
        if n <= 0 { return [] }
        var random = SplitMix64(seed: seed)
        return random.shuffled(Array(pairs.indices)).prefix(n).sorted().map { pairs[$0] }
    }

    /// How many of `count` items are held out.
    static func heldOut(of count: Int, _ evalFraction: Double) -> Int {
        let fraction = evalFraction.isNaN ? 0 : min(max(evalFraction, 0), 1)
        return min(count, Int((Double(count) * fraction).rounded()))
    }

    /// Numeric ids in numeric order first, then the others by their text.
    static func groupOrder(_ a: String, _ b: String) -> Bool {
        switch (Int(a), Int(b)) {
        case let (x?, y?): x != y ? x < y : a < b
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): a < b
        }
    }
}
