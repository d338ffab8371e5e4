/// Applies BPE merges to one word's symbols exactly as Hugging Face's `Word::merge_all`: repeatedly the
/// pair with the lowest rank, the leftmost among equals, until no pair of neighbours has a merge.
enum BPEWordMerger {
    /// A queued merge of the symbol at `position` with its right neighbour.
    private struct Candidate: MergeQueueCandidate {
        var rank: Int32
        var position: Int32
        var merged: Int32

        @inline(__always)
        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    /// The ids `symbols` merge into.
    static func merge(_ symbols: [Int32], with table: BPEMergeTable) -> [Int32] {
        let count = symbols.count
        if count < 2 { return symbols }
        var word = MergingWord(symbols)
        var queue = MergeQueue<Candidate>(capacity: count)
        for i in 0..<(count - 1) {
            if let merge = table.merge(symbols[i], symbols[i + 1]) {
                queue.push(Candidate(rank: merge.rank, position: Int32(i), merged: merge.merged))
            }
        }
        while let top = queue.pop() {
            let position = Int(top.position)
            guard let right = word.right(of: position) else { continue }
            // A stale candidate: the pair changed since it was queued.
            guard let current = table.merge(word.symbols[position], word.symbols[right]), current.merged == top.merged else { continue }
            word.merge(position, with: right, into: top.merged)
            if let left = word.left(of: position), let merge = table.merge(word.symbols[left], word.symbols[position]) {
                queue.push(Candidate(rank: merge.rank, position: Int32(left), merged: merge.merged))
            }
            if let next = word.right(of: position), let merge = table.merge(word.symbols[position], word.symbols[next]) {
                queue.push(Candidate(rank: merge.rank, position: Int32(position), merged: merge.merged))
            }
        }
        return word.remaining()
    }
}
