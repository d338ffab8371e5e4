/// The Llama-3 split pattern (and Qwen2's, which takes one digit at a time), scanned by hand over
/// Unicode scalars:
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
enum Llama3PatternScanner {
    /// Appends the pieces of `range` to `pieces`, taking at most `maxDigits` digits per piece.
    static func split(_ text: PreTokenizerText, _ range: Range<Int>, maxDigits: Int, into pieces: inout [Range<Int>]) {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = matchEnd(text, start, range.upperBound, maxDigits: maxDigits)
            pieces.append(start..<end)
            start = end
        }
    }

    private static let carriageReturn: UInt32 = 0x0D, lineFeed: UInt32 = 0x0A

    @inline(__always)
    private static func isNewline(_ value: UInt32) -> Bool { value == lineFeed || value == carriageReturn }

    /// End of the match that starts at `i`.
    @inline(__always)
    static func matchEnd(_ text: PreTokenizerText, _ i: Int, _ end: Int, maxDigits: Int) -> Int {
        let values = text.values, classes = text.classes
        let value = values[i], kind = classes[i]
        if value == 0x27, let contraction = contractionEnd(values, i, end) { return contraction }
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        var letters = -1
        if kind == .letter {
            letters = i
        } else if kind != .number && !isNewline(value) && i + 1 < end && classes[i + 1] == .letter {
            letters = i + 1
        }
        if letters >= 0 {
            var j = letters + 1
            while j < end && classes[j] == .letter { j += 1 }
            return j
        }
        // `\p{N}{1,3}`
        if kind == .number {
            var j = i + 1
            while j < end && j - i < maxDigits && classes[j] == .number { j += 1 }
            return j
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var others = -1
        if kind == .other {
            others = i
        } else if value == 0x20 && i + 1 < end && classes[i + 1] == .other {
            others = i + 1
        }
        if others >= 0 {
            var j = others + 1
            while j < end && classes[j] == .other { j += 1 }
            while j < end && isNewline(values[j]) { j += 1 }
            return j
        }
        // Whitespace from here on. `\s*[\r\n]+`: up to and including the run's last newline.
        var runEnd = i + 1
        while runEnd < end && classes[runEnd] == .whitespace { runEnd += 1 }
        var k = runEnd - 1
        while k >= i {
            if isNewline(values[k]) { return k + 1 }
            k -= 1
        }
        // `\s+(?!\S)|\s+`
        return GPT2PatternScanner.whitespaceEnd(classes, i, end)
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i`, which holds an apostrophe. Case folding as Oniguruma's:
    /// ASCII either case, and `ſ` (U+017F) folds to `s`.
    @inline(__always)
    private static func contractionEnd(_ values: [UInt32], _ i: Int, _ end: Int) -> Int? {
        guard i + 1 < end else { return nil }
        func folded(_ value: UInt32) -> UInt32 {
            if value >= 0x41 && value <= 0x5A { return value + 0x20 }
            if value == 0x17F { return 0x73 }
            return value
        }
        switch folded(values[i + 1]) {
        case 0x73, 0x74, 0x6D, 0x64: return i + 2  // s t m d
        case 0x72, 0x76:  // 're 've
            return i + 2 < end && folded(values[i + 2]) == 0x65 ? i + 3 : nil
        case 0x6C:  // 'll
            return i + 2 < end && folded(values[i + 2]) == 0x6C ? i + 3 : nil
        default: return nil
        }
    }
}
