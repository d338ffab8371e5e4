/// A candidate merge of two adjacent symbols, ordered against the other candidates of its word.
protocol MergeQueueCandidate {
    /// Whether this candidate is merged before `other`.
    func precedes(_ other: Self) -> Bool
}

/// The pending merges of one word as a binary heap: `pop` returns the candidate that precedes all others.
/// Generic rather than over an existential, so each tokenizer's loop is specialized and inlined.
struct MergeQueue<Candidate: MergeQueueCandidate> {
    /// Each candidate precedes its children at `2i + 1` and `2i + 2`.
    private var heap: [Candidate] = []

    /// An empty queue with room for `capacity` candidates.
    init(capacity: Int) {
        heap.reserveCapacity(capacity)
    }

    /// Queues `candidate`.
    mutating func push(_ candidate: Candidate) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !heap[child].precedes(heap[parent]) { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first candidate; nil when none is left.
    mutating func pop() -> Candidate? {
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
