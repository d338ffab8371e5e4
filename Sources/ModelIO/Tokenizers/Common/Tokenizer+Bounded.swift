/// The end of a text whose tokens a caller keeps when it cuts the text to a length.
public enum TextEnd: Sendable {
    /// The first tokens (a response cut from the right, a prompt's first tokens).
    case start
    /// The last tokens (a prompt cut from the left, a reward model's input keeping its last turn).
    case end
}

extension Tokenizer {
    /// `encode(text, addSpecialTokens:)` for a caller that keeps at most `count` ids from `end`: a text
    /// far longer than that is cut first, and only the piece is encoded, so a 60 MB text with a limit of
    /// 32 tokens costs microseconds, not seconds and gigabytes. The piece ends (or, for `.end`, begins) at
    /// the start of a whitespace run where it has one, which every tokenizer here treats as a token boundary,
    /// and it holds `count` plus 16 ids more, so the ids the caller keeps are those of the whole text; a
    /// piece (at first 8 bytes an id) that holds too few grows fourfold, up to 256 bytes per id kept (past that, the text is cut
    /// there whatever it holds). A text that fits is encoded whole, exactly as `encode` does.
    public func encode(_ text: String, addSpecialTokens: Bool, keeping count: Int, from end: TextEnd) -> [Int] {
        let needed = max(count, 0) + 16
        let ceiling = needed.multipliedReportingOverflow(by: 256)
        let most = ceiling.overflow ? Int.max : ceiling.partialValue + (64 << 10)
        var budget = max(128, needed * 8)
        let length = text.utf8.count
        while budget < length {
            let piece = Self.piece(of: text, bytes: min(budget, most), from: end)
            let ids = encode(piece, addSpecialTokens: addSpecialTokens)
            if ids.count >= needed || budget >= most { return ids }
            budget = budget > most / 4 ? most : budget * 4
        }
        return encode(text, addSpecialTokens: addSpecialTokens)
    }

    /// The first (or last) `bytes` UTF-8 bytes of `text`, cut at a character boundary, and moved to the start
    /// of a whitespace run when one lies in the piece's half nearer the cut.
    static func piece(of text: String, bytes: Int, from end: TextEnd) -> String {
        let utf8 = Array(text.utf8)
        func isContinuation(_ i: Int) -> Bool { i < utf8.count && utf8[i] & 0xC0 == 0x80 }
        func isSpace(_ i: Int) -> Bool { [0x20, 0x09, 0x0A, 0x0D].contains(utf8[i]) }
        switch end {
        case .start:
            var cut = bytes
            while cut > 0 && isContinuation(cut) { cut -= 1 }
            // the start of the last whitespace run in the second half, if any
            var i = cut - 1
            while i >= bytes / 2 && !isSpace(i) { i -= 1 }
            if i >= bytes / 2 {
                while i > 0 && isSpace(i - 1) { i -= 1 }
                if i > 0 { cut = i }
            }
            return String(decoding: utf8[0..<cut], as: UTF8.self)
        case .end:
            var cut = utf8.count - bytes
            while cut < utf8.count && isContinuation(cut) { cut += 1 }
            // the start of the first whitespace run in the first half, if any
            var i = cut
            let limit = utf8.count - bytes / 2
            while i < limit && !(isSpace(i) && !isSpace(i - 1)) { i += 1 }
            if i < limit { cut = i }
            return String(decoding: utf8[cut...], as: UTF8.self)
        }
    }
}
