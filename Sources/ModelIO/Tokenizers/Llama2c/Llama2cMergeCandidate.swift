/// A merge candidate of llama2.c's encoder: merging the token at `left` with its right neighbour, valid
/// while both are still the tokens named. The highest score goes first, then the leftmost.
struct Llama2cMergeCandidate: MergeQueueCandidate {
    /// Score of the merged token.
    var score: Float
    /// Position of the left token.
    var left: Int32
    /// The two tokens merged, as they were when the candidate was queued.
    var leftToken: Int32, rightToken: Int32
    /// The merged token.
    var merged: Int32

    @inline(__always)
    func precedes(_ other: Llama2cMergeCandidate) -> Bool {
        score != other.score ? score > other.score : left < other.left
    }
}
