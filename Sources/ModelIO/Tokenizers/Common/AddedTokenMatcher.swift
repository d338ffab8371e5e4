/// Finds added tokens in a text and cuts it around them, as Hugging Face's `AddedVocabulary` does:
/// leftmost-longest matches over the UTF-8 bytes, then `single_word`, `lstrip` and `rstrip`.
struct AddedTokenMatcher: Sendable {
    private struct Pattern: Sendable {
        var bytes: [UInt8]
        var token: AddedToken
    }

    /// Patterns by their first byte, longest first.
    private var patternsByFirstByte: [[Pattern]] = Array(repeating: [], count: 256)
    /// Whether there is any pattern at all.
    let isEmpty: Bool

    /// A matcher for `tokens` (empty contents are ignored).
    init(_ tokens: [AddedToken]) {
        var any = false
        for token in tokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            patternsByFirstByte[Int(bytes[0])].append(Pattern(bytes: bytes, token: token))
            any = true
        }
        for i in 0..<256 where patternsByFirstByte[i].count > 1 {
            patternsByFirstByte[i].sort { $0.bytes.count > $1.bytes.count }
        }
        isEmpty = !any
    }

    /// `text` cut into segments: runs of text, and the added tokens found in it.
    func split(_ text: String) -> [TokenizerTextSegment] {
        if isEmpty || text.isEmpty { return [.text(text)] }
        let bytes = Array(text.utf8)
        var segments: [TokenizerTextSegment] = []
        var segmentStart = 0  // end of the last token taken
        var position = 0  // where the search goes on
        while position < bytes.count {
            guard let pattern = longestMatch(in: bytes, at: position) else {
                position += 1
                continue
            }
            let matchEnd = position + pattern.bytes.count
            var start = position
            var stop = matchEnd
            position = matchEnd
            let token = pattern.token
            if token.isSingleWord {
                let wordBefore = start > 0 && Self.lastScalar(bytes, before: start)?.isTokenizerWordCharacter == true
                let wordAfter = stop < bytes.count && Self.firstScalar(bytes, from: stop)?.isTokenizerWordCharacter == true
                if wordBefore || wordAfter { continue }
            }
            if token.stripsLeft { start = max(Self.startOfTrailingWhitespace(bytes, before: start), segmentStart) }
            if token.stripsRight { stop = Self.endOfLeadingWhitespace(bytes, from: stop) }
            if segmentStart < start { segments.append(.text(Self.string(bytes[segmentStart..<start]))) }
            segments.append(.token(token.id))
            segmentStart = stop
        }
        if segmentStart < bytes.count { segments.append(.text(Self.string(bytes[segmentStart...]))) }
        return segments
    }

    private func longestMatch(in bytes: [UInt8], at position: Int) -> Pattern? {
        let candidates = patternsByFirstByte[Int(bytes[position])]
        if candidates.isEmpty { return nil }
        for pattern in candidates where position + pattern.bytes.count <= bytes.count {
            var matches = true
            for k in 1..<pattern.bytes.count where bytes[position + k] != pattern.bytes[k] {
                matches = false
                break
            }
            if matches { return pattern }
        }
        return nil
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func lastScalar(_ bytes: [UInt8], before end: Int) -> Unicode.Scalar? {
        var start = end - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return string(bytes[start..<end]).unicodeScalars.first
    }

    private static func firstScalar(_ bytes: [UInt8], from start: Int) -> Unicode.Scalar? {
        var end = start + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return string(bytes[start..<end]).unicodeScalars.first
    }

    /// Where the whitespace that ends `bytes[..<end]` begins.
    private static func startOfTrailingWhitespace(_ bytes: [UInt8], before end: Int) -> Int {
        var position = end
        while position > 0 {
            var start = position - 1
            while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
            guard let scalar = string(bytes[start..<position]).unicodeScalars.first, scalar.isTokenizerWhitespace else { break }
            position = start
        }
        return position
    }

    /// Where the whitespace that starts `bytes[start...]` ends.
    private static func endOfLeadingWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var position = start
        while position < bytes.count {
            var end = position + 1
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            guard let scalar = string(bytes[position..<end]).unicodeScalars.first, scalar.isTokenizerWhitespace else { break }
            position = end
        }
        return position
    }
}
