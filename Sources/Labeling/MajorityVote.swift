/// The preference pairs a set of judgements supports: each pair goes to the response most annotators
/// preferred; a pair whose votes tie, or where "tie" has the most votes, is dropped, and skips are not votes.
package enum MajorityVote {
    /// A pair's outcome.
    package struct Outcome: Sendable, Equatable {
        package var pair: Int64
        /// The winner (a or b); nil when the pair is dropped.
        package var winner: Choice?
        /// Votes for A, for B and for a tie.
        package var a: Int, b: Int, tie: Int
    }

    /// The outcome of every pair with at least one vote, in pair order.
    package static func outcomes(_ judgements: [Judgement]) -> [Outcome] {
        var votes: [Int64: (a: Int, b: Int, tie: Int)] = [:]
        for j in judgements {
            switch j.choice {
            case .a: votes[j.pair, default: (0, 0, 0)].a += 1
            case .b: votes[j.pair, default: (0, 0, 0)].b += 1
            case .tie: votes[j.pair, default: (0, 0, 0)].tie += 1
            case .skip: continue
            }
        }
        return votes.keys.sorted().map { pair in
            let v = votes[pair]!
            let winner: Choice? = v.a > v.b && v.a > v.tie ? .a : v.b > v.a && v.b > v.tie ? .b : nil
            return Outcome(pair: pair, winner: winner, a: v.a, b: v.b, tie: v.tie)
        }
    }
}
