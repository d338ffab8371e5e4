import Foundation
import Storage

/// llama2.c's tokenizer (`tokenizer.bin`, e.g. tok512.bin): a sentencepiece vocabulary exported as
/// `int32 max_token_length`, then per token `float32 score, int32 length, bytes`. Encoding is llama2.c's
/// `encode`: optional BOS, a space token as dummy prefix, one token per code point (bytes as `<0xXX>`
/// at id byte+3 when the code point is missing, `<unk>` when the vocabulary is too small to hold that id), then repeatedly the adjacent pair whose concatenation
/// has the best score is merged (the leftmost among equals). Ids 0, 1, 2 are `<unk>`, BOS and EOS.
public struct Llama2cTokenizer: Tokenizer {
    /// Bytes of each token.
    let pieces: [[UInt8]]
    /// Score of each token: the higher, the earlier it merges.
    let scores: [Float]
    /// Token bytes to id (the lowest id where two tokens are spelled alike).
    private let ids: [[UInt8]: Int32]
    /// Longest token in bytes, as the file's header says.
    public let maxTokenLength: Int

    /// Number of token ids, added tokens included: the embedding rows a model needs.
    public let vocabSize: Int
    /// Beginning-of-sequence id, where the files say.
    public let bosTokenID: Int? = 1
    /// End-of-sequence id, where the files say.
    public let eosTokenID: Int? = 2
    /// Padding id, where the files say.
    public let padTokenID: Int? = nil
    /// Id used for text the vocabulary cannot spell, where there is one.
    public let unknownTokenID: Int? = 0
    /// The ids put around a text when `addSpecialTokens` is true (the post-processor's single-sequence template).
    public let defaultSpecialTokens = TokenizerSpecialTokens(prefix: [1])

    /// Reads `url`, which holds `vocabSize` tokens (the checkpoint's vocabulary size).
    public init(contentsOf url: URL, vocabSize: Int) throws {
        let data: Data
        do { data = try SideFile.read(url.path, limit: SideFile.Limit.vocabulary, what: "a llama2.c tokenizer.bin") } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.reason)
        }
        try self.init(data: data, vocabSize: vocabSize, source: url.path)
    }

    /// Parses the bytes of a tokenizer.bin holding `vocabSize` tokens; `source` names it in errors.
    public init(data: Data, vocabSize: Int, source: String = "tokenizer.bin") throws {
        guard vocabSize > 3 else {
            throw TokenizerError.malformed(file: source, reason: "vocabulary size \(vocabSize) is too small (ids 0-2 are <unk>, BOS, EOS)")
        }
        // each token takes at least 8 bytes (score, length): a larger vocabulary cannot be in the file
        guard vocabSize <= (data.count - 4) / 8 else {
            throw TokenizerError.truncated(file: source, reason: "\(data.count) bytes cannot hold \(vocabSize) tokens")
        }
        let bytes = [UInt8](data)
        var offset = 0
        func readInt32(_ what: @autoclosure () -> String) throws -> Int32 {
            guard offset + 4 <= bytes.count else {
                throw TokenizerError.truncated(file: source, reason: "\(bytes.count) bytes, ended while reading \(what())")
            }
            let value = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            offset += 4
            return Int32(bitPattern: value)
        }
        let maxLength = try readInt32("the header")
        guard maxLength > 0 else {
            throw TokenizerError.malformed(file: source, reason: "max_token_length is \(maxLength); not a llama2.c tokenizer.bin")
        }
        var pieces: [[UInt8]] = []
        var scores: [Float] = []
        pieces.reserveCapacity(vocabSize)
        scores.reserveCapacity(vocabSize)
        for index in 0..<vocabSize {
            let score = Float(bitPattern: UInt32(bitPattern: try readInt32("the score of token \(index) of \(vocabSize)")))
            let length = Int(try readInt32("the length of token \(index) of \(vocabSize)"))
            guard length >= 0 && length <= Int(maxLength) else {
                throw TokenizerError.malformed(file: source, reason: "token \(index) has length \(length) (max_token_length \(maxLength)); not a llama2.c tokenizer.bin or a wrong vocabulary size")
            }
            guard offset + length <= bytes.count else {
                throw TokenizerError.truncated(file: source, reason: "\(bytes.count) bytes, ended inside token \(index) of \(vocabSize)")
            }
            pieces.append(Array(bytes[offset..<(offset + length)]))
            scores.append(score)
            offset += length
        }
        var ids: [[UInt8]: Int32] = [:]
        for (id, piece) in pieces.enumerated().reversed() { ids[piece] = Int32(id) }
        self.pieces = pieces
        self.scores = scores
        self.ids = ids
        self.maxTokenLength = Int(maxLength)
        self.vocabSize = vocabSize
    }

    /// llama2.c's `encode` with `bos = addSpecialTokens`, `eos = 0`.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var tokens: [Int32] = []
        if addSpecialTokens { tokens.append(1) }
        if !text.isEmpty, let space = ids[[0x20]] { tokens.append(space) }
        for scalar in text.unicodeScalars {
            let codePoint = Array(UTF8.encode(scalar)!)
            if let id = ids[codePoint] {
                tokens.append(id)
            } else {
                // a byte's token <0xXX> is id byte + 3; a vocabulary too small to hold it spells it <unk>
                for byte in codePoint { tokens.append(Int(byte) + 3 < vocabSize ? Int32(byte) + 3 : 0) }
            }
        }
        return merge(tokens).map(Int.init)
    }

    /// The merge loop of llama2.c's `encode`, with a heap: best score first, leftmost among equal scores.
    private func merge(_ start: [Int32]) -> [Int32] {
        let count = start.count
        if count < 2 { return start }
        var word = MergingWord(start)
        var queue = MergeQueue<Llama2cMergeCandidate>(capacity: count)
        func consider(_ left: Int) {
            guard let right = word.right(of: left) else { return }
            let leftToken = word.symbols[left], rightToken = word.symbols[right]
            let merged = pieces[Int(leftToken)] + pieces[Int(rightToken)]
            // llama2.c starts its best score at -1e10 and takes only strictly better ones.
            guard let id = ids[merged], scores[Int(id)] > -1e10 else { return }
            queue.push(.init(score: scores[Int(id)], left: Int32(left), leftToken: leftToken, rightToken: rightToken, merged: id))
        }
        for i in 0..<(count - 1) { consider(i) }
        while let best = queue.pop() {
            let left = Int(best.left)
            guard let right = word.right(of: left) else { continue }
            guard word.symbols[left] == best.leftToken, word.symbols[right] == best.rightToken else { continue }
            word.merge(left, with: right, into: best.merged)
            if let previous = word.left(of: left) { consider(previous) }
            consider(left)
        }
        return word.remaining()
    }

    /// llama2.c's `decode` for each id after the one before: a piece's leading space goes after BOS,
    /// `<0xXX>` pieces are raw bytes. `<unk>`, BOS and EOS are left out when `skipSpecialTokens`.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        var previous = -1
        for id in ids {
            guard id >= 0 && id < vocabSize else { continue }
            defer { previous = id }
            if skipSpecialTokens && id < 3 { continue }
            var piece = pieces[id][...]
            if previous == 1 && piece.first == 0x20 { piece = piece.dropFirst() }
            if let byte = Self.rawByte(piece) {
                bytes.append(byte)
            } else {
                bytes.append(contentsOf: piece)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The byte a `<0xXX>` piece stands for (`sscanf(piece, "<0x%02hhX>")` in llama2.c).
    static func rawByte(_ piece: ArraySlice<UInt8>) -> UInt8? {
        guard piece.starts(with: Array("<0x".utf8)) else { return nil }
        var value: UInt8 = 0
        var digits = 0
        for byte in piece.dropFirst(3).prefix(2) {
            guard let digit = Self.hexDigit(byte) else { break }
            value = value << 4 | digit
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The id of a vocabulary entry spelled exactly `token`, if any.
    public func id(for token: String) -> Int? { ids[Array(token.utf8)].map(Int.init) }

    /// The vocabulary entry for `id`, as the tokenizer spells it (byte-level alphabet, `##` prefix, ...).
    public func token(for id: Int) -> String? {
        guard id >= 0 && id < vocabSize else { return nil }
        return String(decoding: pieces[id], as: UTF8.self)
    }

    /// The score of `id` (higher merges earlier).
    public func score(for id: Int) -> Float? {
        guard id >= 0 && id < vocabSize else { return nil }
        return scores[id]
    }
}
