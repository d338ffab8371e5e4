import Models

/// Supervised examples as one right-padded batch with next-token targets on the response only.
///
///     ids, mask [B,T]: row b is prompt_b + response_b, then padding (mask 0) up to T = max_b (P_b + R_b)
///     positions [B,T]: cumsum(mask) − 1 (0, 1, …, then the last real position repeated over the padding)
///     targets [B·T]: at position t the token ids[t+1] when ids[t+1] is a response token, else −1
///
/// So a row's targets are −1 over the prompt except its last position (which predicts the first
/// response token), the response's tokens shifted left by one, then −1 at the response's last position
/// and over the padding: exactly the labels of TRL's completion-only loss, already shifted.
package struct SupervisedBatch: Sendable, Equatable {
    /// Rows B and length T.
    package let rows: Int, length: Int
    /// The model input (ids, positions, attention mask).
    package let tokens: TokenBatch
    /// The next response token at each position, −1 elsewhere [B·T].
    package let targets: [Int32]
    /// The number of targets that are not −1 (Σ_b R_b): the loss is a mean over these.
    package let responseTokens: Int

    /// Lays out `examples` (each with a prompt and a response token), padding with `padID`.
    package init(_ examples: [SupervisedTokens], padID: Int) throws {
        guard !examples.isEmpty else { throw SFTInputError.empty }
        let T = examples.map(\.count).max() ?? 0
        var ids: [[Int]] = [], mask: [[Int]] = []
        var targets = [Int32](repeating: -1, count: examples.count * T)  // [B·T]
        for (b, example) in examples.enumerated() {
            guard !example.prompt.isEmpty, !example.response.isEmpty else { throw SFTInputError.emptyPart(example: b) }
            let padding = T - example.count
            ids.append(example.prompt + example.response + [Int](repeating: padID, count: padding))
            mask.append([Int](repeating: 1, count: example.count) + [Int](repeating: 0, count: padding))
            for (j, token) in example.response.enumerated() {
                guard token >= 0, let id = Int32(exactly: token) else { throw SFTInputError.tokenID(example: b, id: token) }
                targets[b * T + example.prompt.count - 1 + j] = id
            }
        }
        rows = examples.count
        length = T
        tokens = try TokenBatch(ids: ids, positions: nil, mask: mask)
        self.targets = targets
        responseTokens = examples.reduce(0) { $0 + $1.response.count }
    }
}
