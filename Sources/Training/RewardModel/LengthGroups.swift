/// Splits a batch into groups of similar length, so that each group is padded only to its own longest
/// row: the items sorted by length are cut into runs that minimise Σ (rows in run × its longest length)
/// plus `overhead` tokens per run (the fixed cost of one more pass), by dynamic programming.
///
/// For a loss that is a sum of per-item terms (Bradley-Terry over pairs, cross-entropy over texts) the
/// groups' gradients add up to the whole padded batch's: only the padding's work is skipped.
package enum LengthGroups {
    /// Index groups of `lengths` (each the tokens one item pads to; `rowsPerItem` rows of it), shortest first.
    package static func plan(lengths: [Int], rowsPerItem: Int = 1, overhead: Int = 256) -> [[Int]] {
        let order = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        let n = order.count
        guard n > 1 else { return n == 0 ? [] : [order] }
        var best = [Int](repeating: .max, count: n + 1), cut = [Int](repeating: 0, count: n + 1)
        best[0] = 0
        for end in 1...n {
            let longest = lengths[order[end - 1]]  // sorted: the run's last item is its longest
            for start in 0..<end where best[start] != .max {
                let cost = best[start] + (end - start) * rowsPerItem * longest + overhead
                if cost < best[end] { best[end] = cost; cut[end] = start }
            }
        }
        var groups: [[Int]] = []
        var end = n
        while end > 0 {
            groups.append(Array(order[cut[end]..<end]))
            end = cut[end]
        }
        return groups.reversed()
    }
}
