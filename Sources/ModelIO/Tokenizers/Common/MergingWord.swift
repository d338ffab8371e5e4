/// The symbols of one word while adjacent pairs merge in place: a doubly linked list over the starting
/// positions, so a merge costs O(1) and a position names the same symbol until it is merged away. A merge
/// keeps the left position, so position 0 is always the first symbol.
struct MergingWord {
    /// The symbol at each position (meaningless at positions merged away).
    private(set) var symbols: [Int32]
    /// Position of the symbol before each one, -1 for the first.
    private var previous: [Int32]
    /// Position of the symbol after each one, -1 for the last.
    private var next: [Int32]
    /// Whether each position was merged into its left neighbour.
    private var removed: [Bool]

    /// A word of `symbols`, none merged yet.
    init(_ symbols: [Int32]) {
        let count = symbols.count
        self.symbols = symbols
        previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = i + 1 < count ? Int32(i + 1) : -1 }
            initialized = count
        }
        removed = [Bool](repeating: false, count: count)
    }

    /// The position of the symbol after the one at `position`; nil for the last symbol, or when
    /// `position` was merged away.
    @inline(__always)
    func right(of position: Int) -> Int? {
        if removed[position] || next[position] < 0 { return nil }
        return Int(next[position])
    }

    /// The position of the symbol before the one at `position` (which is still in the word); nil for the first.
    @inline(__always)
    func left(of position: Int) -> Int? {
        previous[position] >= 0 ? Int(previous[position]) : nil
    }

    /// Replaces the symbol at `position` and the one after it, at `right`, with `merged`.
    @inline(__always)
    mutating func merge(_ position: Int, with right: Int, into merged: Int32) {
        symbols[position] = merged
        removed[right] = true
        next[position] = next[right]
        if next[right] >= 0 { previous[Int(next[right])] = Int32(position) }
    }

    /// The symbols left, in order.
    func remaining() -> [Int32] {
        var result: [Int32] = []
        var i: Int32 = 0
        while i >= 0 {
            result.append(symbols[Int(i)])
            i = next[Int(i)]
        }
        return result
    }
}
