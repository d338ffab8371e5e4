/// BPE merges by rank: for a pair of adjacent token ids, the rank of their merge (lower merges first)
/// and the id of the merged token.
struct BPEMergeTable: Sendable {
    /// A merge's rank and result.
    struct Merge: Sendable {
        var rank: Int32
        var merged: Int32
    }

    private var merges: [UInt64: Merge] = [:]

    init() {}

    /// Number of merges.
    var count: Int { merges.count }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Adds a merge; a pair listed twice keeps its first (best) rank.
    mutating func add(left: Int32, right: Int32, merged: Int32, rank: Int32) {
        let key = Self.key(left, right)
        if merges[key] == nil { merges[key] = Merge(rank: rank, merged: merged) }
    }

    /// Every merge as (left id, right id), best rank first.
    func rankedPairs() -> [(left: Int32, right: Int32)] {
        merges.sorted { $0.value.rank < $1.value.rank }.map { (Int32(truncatingIfNeeded: $0.key >> 32), Int32(truncatingIfNeeded: $0.key)) }
    }

    /// The merge of `left` followed by `right`, if there is one.
    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> Merge? { merges[Self.key(left, right)] }
}
