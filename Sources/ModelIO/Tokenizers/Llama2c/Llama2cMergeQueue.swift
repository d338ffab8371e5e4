/// The merge candidates of llama2.c's encoder as a binary heap: highest score first, then leftmost.
struct Llama2cMergeQueue {
    /// Merging the token at `left` with its right neighbour, valid while both are still the tokens named.
    struct Candidate {
        var score: Float
        var left: Int32
        var leftToken: Int32
        var rightToken: Int32
        var merged: Int32

        func precedes(_ other: Candidate) -> Bool {
            score != other.score ? score > other.score : left < other.left
        }
    }

    private var heap: [Candidate] = []

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
