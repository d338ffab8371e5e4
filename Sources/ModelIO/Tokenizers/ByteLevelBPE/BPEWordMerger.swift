/// Applies BPE merges to one word's symbols exactly as Hugging Face's `Word::merge_all`: repeatedly the
/// pair with the lowest rank, the leftmost among equals, until no pair of neighbours has a merge.
enum BPEWordMerger {
    /// A queued merge of the symbol at `position` with its right neighbour.
    private struct Candidate {
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
        var ids = symbols
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = i + 1 < count ? Int32(i + 1) : -1 }
            initialized = count
        }
        var removed = [Bool](repeating: false, count: count)
        var queue: [Candidate] = []
        queue.reserveCapacity(count)
        for i in 0..<(count - 1) {
            if let merge = table.merge(ids[i], ids[i + 1]) {
                push(Candidate(rank: merge.rank, position: Int32(i), merged: merge.merged), onto: &queue)
            }
        }
        while let top = pop(&queue) {
            let position = Int(top.position)
            if removed[position] || next[position] < 0 { continue }
            let right = Int(next[position])
            // A stale candidate: the pair changed since it was queued.
            guard let current = table.merge(ids[position], ids[right]), current.merged == top.merged else { continue }
            ids[position] = top.merged
            removed[right] = true
            next[position] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(position) }
            if previous[position] >= 0 {
                let left = Int(previous[position])
                if let merge = table.merge(ids[left], ids[position]) {
                    push(Candidate(rank: merge.rank, position: Int32(left), merged: merge.merged), onto: &queue)
                }
            }
            if next[position] >= 0, let merge = table.merge(ids[position], ids[Int(next[position])]) {
                push(Candidate(rank: merge.rank, position: Int32(position), merged: merge.merged), onto: &queue)
            }
        }
        var result: [Int32] = []
        var i: Int32 = 0
        while i >= 0 {
            result.append(ids[Int(i)])
            i = next[Int(i)]
        }
        return result
    }

    // A binary min-heap on (rank, position).

    private static func push(_ candidate: Candidate, onto heap: inout [Candidate]) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !heap[child].precedes(heap[parent]) { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func pop(_ heap: inout [Candidate]) -> Candidate? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        let top = heap[0]
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < heap.count && heap[left].precedes(heap[best]) { best = left }
            if right < heap.count && heap[right].precedes(heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return top
    }
}
