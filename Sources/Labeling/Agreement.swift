/// How far annotators agree beyond chance, over the categories A, B and tie (skips left out): Cohen's
/// kappa for two annotators, Fleiss' kappa for more.
package enum Agreement {
    /// A kappa and the pairs it was measured on.
    package struct Kappa: Sendable, Equatable {
        /// "cohen" or "fleiss".
        package var method: String
        /// κ = (p_o − p_e) / (1 − p_e); nil when chance agreement is total (p_e = 1), where κ is undefined.
        package var value: Double?
        /// Pairs judged by every annotator compared (Cohen: both; Fleiss: all of them).
        package var pairs: Int
    }

    static let categories: [Choice] = [.a, .b, .tie]

    /// The agreement of `judgements` (one standing judgement per annotator and pair): Cohen's kappa over the
    /// pairs both annotators judged when there are two, Fleiss' kappa over the pairs every annotator judged
    /// when there are more; nil with fewer than two annotators or no pair in common.
    package static func kappa(_ judgements: [Judgement]) -> Kappa? {
        let counted = judgements.filter { $0.choice != .skip }
        let annotators = Set(counted.map(\.annotator)).sorted()
        guard annotators.count >= 2 else { return nil }
        var byPair: [Int64: [String: Choice]] = [:]
        for j in counted { byPair[j.pair, default: [:]][j.annotator] = j.choice }
        let shared = byPair.filter { $0.value.count == annotators.count }.keys.sorted()
        guard !shared.isEmpty else { return nil }
        if annotators.count == 2 {
            let first = shared.map { byPair[$0]![annotators[0]]! }, second = shared.map { byPair[$0]![annotators[1]]! }
            return Kappa(method: "cohen", value: cohen(first, second), pairs: shared.count)
        }
        let counts = shared.map { pair in categories.map { c in byPair[pair]!.values.filter { $0 == c }.count } }
        return Kappa(method: "fleiss", value: fleiss(counts), pairs: shared.count)
    }

    /// Cohen's kappa of two raters' labels of the same items, in order.
    package static func cohen(_ first: [Choice], _ second: [Choice]) -> Double? {
        precondition(first.count == second.count && !first.isEmpty, "two raters of the same items")
        let n = Double(first.count)
        let observed = Double(zip(first, second).filter { $0 == $1 }.count) / n
        let chance = categories.reduce(0.0) { sum, c in
            sum + Double(first.filter { $0 == c }.count) / n * Double(second.filter { $0 == c }.count) / n
        }
        return chance < 1 ? (observed - chance) / (1 - chance) : nil
    }

    /// Fleiss' kappa of `counts[item][category]`: how many of the n raters (the same n for every item, n ≥ 2)
    /// put each item in each category.
    package static func fleiss(_ counts: [[Int]]) -> Double? {
        guard let raters = counts.first.map({ $0.reduce(0, +) }), raters >= 2 else { return nil }
        precondition(counts.allSatisfy { $0.reduce(0, +) == raters }, "every item has the same number of raters")
        let items = Double(counts.count), n = Double(raters)
        let perItem = counts.map { row in Double(row.reduce(0) { $0 + $1 * $1 } - raters) / (n * (n - 1)) }
        let observed = perItem.reduce(0, +) / items
        let shares = (0..<(counts.first?.count ?? 0)).map { c in Double(counts.reduce(0) { $0 + $1[c] }) / (items * n) }
        let chance = shares.reduce(0) { $0 + $1 * $1 }
        return chance < 1 ? (observed - chance) / (1 - chance) : nil
    }
}
