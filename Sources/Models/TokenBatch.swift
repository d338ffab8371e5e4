import Tensor

/// A rectangular batch of token ids with explicit position ids and attention mask, in host memory.
///
///     ids[B,T], positions[B,T], mask[B,T] (1 = real token, 0 = padding)
public struct TokenBatch: Sendable, Equatable {
    /// Batch size B.
    public let batch: Int
    /// Sequence length T.
    public let length: Int
    /// Token ids [B·T].
    public var ids: [Int32]
    /// Position ids [B·T].
    public var positions: [Int32]
    /// Attention mask [B·T] as floats, or nil when every token is real.
    public var mask: [Float]?

    /// A batch from ids with positions 0..<T and no padding.
    public init(ids: [[Int]]) throws {
        guard let first = ids.first, !first.isEmpty else { throw ModelInputError.empty }
        guard ids.allSatisfy({ $0.count == first.count }) else {
            throw ModelInputError.shapeMismatch("rows have different lengths \(ids.map(\.count))")
        }
        batch = ids.count
        length = first.count
        self.ids = try Self.int32s(ids, what: "token id")
        positions = (0..<batch).flatMap { _ in (0..<first.count).map { Int32($0) } }
        mask = nil
    }

    /// A batch with explicit positions and mask (each [B][T]).
    public init(ids: [[Int]], positions: [[Int]]?, mask: [[Int]]?) throws {
        var base = try TokenBatch(ids: ids)
        if let positions {
            guard positions.count == base.batch, positions.allSatisfy({ $0.count == base.length }) else {
                throw ModelInputError.shapeMismatch("position ids must be \(base.batch)x\(base.length) like the token ids")
            }
            base.positions = try Self.int32s(positions, what: "position")
        }
        if let mask {
            guard mask.count == base.batch, mask.allSatisfy({ $0.count == base.length }) else {
                throw ModelInputError.shapeMismatch("attention mask must be \(base.batch)x\(base.length) like the token ids")
            }
            base.mask = mask.flatMap { $0.map { $0 != 0 ? Float(1) : Float(0) } }
            if positions == nil { base.positions = Self.positionsFromMask(base.mask!, batch: base.batch, length: base.length) }
        }
        self = base
    }

    /// Left-pads sequences of different lengths to the longest one with `padID`; positions are
    /// cumsum(mask) − 1 clamped at 0, as Hugging Face generation and PPO trainers do.
    public init(leftPadding sequences: [[Int]], padID: Int) throws {
        guard let longest = sequences.map(\.count).max(), longest > 0 else { throw ModelInputError.empty }
        let padded = sequences.map { Array(repeating: padID, count: longest - $0.count) + $0 }
        let mask = sequences.map { Array(repeating: 0, count: longest - $0.count) + Array(repeating: 1, count: $0.count) }
        try self.init(ids: padded, positions: nil, mask: mask)
        if sequences.allSatisfy({ $0.count == longest }) { self.mask = nil }
    }

    /// The same batch with positions 0..<T in every row (an encoder's absolute positions, padding or not).
    public func withSequentialPositions() -> TokenBatch {
        var copy = self
        for b in 0..<batch { for t in 0..<length { copy.positions[b * length + t] = Int32(t) } }
        return copy
    }

    /// The rows flattened to Int32; a value outside Int32 is an error, never truncated.
    static func int32s(_ rows: [[Int]], what: String) throws -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(rows.reduce(0) { $0 + $1.count })
        for row in rows {
            for value in row {
                guard let v = Int32(exactly: value) else {
                    throw ModelInputError.valueTooLarge(what: what, value: value, index: out.count)
                }
                out.append(v)
            }
        }
        return out
    }

    /// cumsum(mask) − 1, clamped at 0, per row.
    static func positionsFromMask(_ mask: [Float], batch: Int, length: Int) -> [Int32] {
        var out = [Int32](repeating: 0, count: batch * length)
        for b in 0..<batch {
            var seen: Int32 = 0
            for t in 0..<length {
                if mask[b * length + t] != 0 { seen += 1 }
                out[b * length + t] = max(0, seen - 1)
            }
        }
        return out
    }

    /// Checks ids and positions against a model's vocabulary and position table.
    public func validate(vocabSize: Int, maxPositions: Int) throws {
        for (i, id) in ids.enumerated() where id < 0 || Int(id) >= vocabSize {
            throw ModelInputError.tokenOutOfRange(id: Int(id), vocabSize: vocabSize, index: i)
        }
        for (i, p) in positions.enumerated() where p < 0 || Int(p) >= maxPositions {
            throw ModelInputError.positionOutOfRange(position: Int(p), maxPositions: maxPositions, index: i)
        }
    }
}
