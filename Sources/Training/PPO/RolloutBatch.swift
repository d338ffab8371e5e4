import Models

/// The sequences of one PPO batch as the learner scores and trains on them: each row is a left-padded
/// query followed by its response, right-padded to a common length T.
///
///     ids, attention [B,T];  positions = cumsum(attention) − 1
///     targets [B·T]: at position t the next token ids[t+1] when it is a response token, else −1
///     responseMask [B·T]: 1 where targets ≥ 0 (the positions whose log-prob, value and reward PPO uses)
///
/// Position t holds the state before response token t+1 is generated: its log-prob, its value and its
/// per-token reward (TRL's `logits[:, :-1]` / `values[:, :-1]` alignment).
public struct RolloutBatch: Sendable, Equatable {
    /// Rows B and length T.
    public let rows: Int, length: Int
    /// The model input (ids, positions, attention mask).
    public let tokens: TokenBatch
    /// Next response token at each position, −1 elsewhere [B·T].
    public let targets: [Int32]
    /// 1 at the positions that predict a response token [B·T].
    public let responseMask: [Float]

    /// Lays out `queries` and `responses` (same count; each response non-empty), padding with `padID`.
    public init(queries: [[Int]], responses: [[Int]], padID: Int) throws {
        guard queries.count == responses.count, !queries.isEmpty else {
            throw PPOInputError.lengthMismatch(what: "responses", expected: queries.count, got: responses.count)
        }
        let longestQuery = queries.map(\.count).max() ?? 0
        let longestResponse = responses.map(\.count).max() ?? 0
        let T = longestQuery + longestResponse
        var ids: [[Int]] = [], attention: [[Int]] = []
        var targets = [Int32](repeating: -1, count: queries.count * T)
        for (b, (query, response)) in zip(queries, responses).enumerated() {
            guard !query.isEmpty, !response.isEmpty else { throw ModelInputError.empty }
            let left = longestQuery - query.count, right = longestResponse - response.count
            ids.append([Int](repeating: padID, count: left) + query + response + [Int](repeating: padID, count: right))
            attention.append([Int](repeating: 0, count: left) + [Int](repeating: 1, count: query.count + response.count)
                + [Int](repeating: 0, count: right))
            for (j, token) in response.enumerated() {
                guard let id = Int32(exactly: token) else {
                    throw ModelInputError.valueTooLarge(what: "response token", value: token, index: j)
                }
                targets[b * T + longestQuery - 1 + j] = id
            }
        }
        rows = queries.count
        length = T
        tokens = try TokenBatch(ids: ids, positions: nil, mask: attention)
        self.targets = targets
        responseMask = targets.map { $0 >= 0 ? 1 : 0 }
    }

    /// The rows `indices` as a batch of their own (a minibatch), of the same length T.
    public func rows(_ indices: [Int]) throws -> RolloutBatch {
        let T = length
        func pick<E>(_ flat: [E]) -> [[E]] { indices.map { Array(flat[($0 * T)..<(($0 + 1) * T)]) } }
        let ids = pick(tokens.ids).map { $0.map(Int.init) }
        let mask = pick(tokens.mask ?? [Float](repeating: 1, count: rows * T)).map { $0.map { Int($0) } }
        return try RolloutBatch(ids: ids, attention: mask, targets: pick(targets).flatMap { $0 })
    }

    private init(ids: [[Int]], attention: [[Int]], targets: [Int32]) throws {
        rows = ids.count
        length = ids.first?.count ?? 0
        tokens = try TokenBatch(ids: ids, positions: nil, mask: attention)
        self.targets = targets
        responseMask = targets.map { $0 >= 0 ? 1 : 0 }
    }

    /// The per-row slices of a [B·T] array restricted to `indices`, flattened.
    public func gather<E>(_ flat: [E], rows indices: [Int]) -> [E] {
        indices.flatMap { flat[($0 * length)..<(($0 + 1) * length)] }
    }
}
