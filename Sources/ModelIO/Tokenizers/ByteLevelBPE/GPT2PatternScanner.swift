/// GPT-2's split pattern, scanned by hand over Unicode scalars (same pieces as the regex, much faster):
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
enum GPT2PatternScanner {
    /// Appends the pieces of `range` to `pieces`; together they cover the range.
    static func split(_ text: PreTokenizerText, _ range: Range<Int>, into pieces: inout [Range<Int>]) {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = matchEnd(text, start, range.upperBound)
            pieces.append(start..<end)
            start = end
        }
    }

    /// End of the match that starts at `i` (the first alternative that matches, as the regex picks).
    @inline(__always)
    static func matchEnd(_ text: PreTokenizerText, _ i: Int, _ end: Int) -> Int {
        let values = text.values, classes = text.classes
        if values[i] == 0x27, let contraction = contractionEnd(values, i, end) { return contraction }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
        var runStart = i
        if values[i] == 0x20 && i + 1 < end && classes[i + 1] != .whitespace { runStart = i + 1 }
        let runClass = classes[runStart]
        if runClass != .whitespace {
            var j = runStart + 1
            while j < end && classes[j] == runClass { j += 1 }
            return j
        }
        return whitespaceEnd(classes, i, end)
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` (case-sensitive) at `i`, which holds an apostrophe.
    @inline(__always)
    private static func contractionEnd(_ values: [UInt32], _ i: Int, _ end: Int) -> Int? {
        guard i + 1 < end else { return nil }
        switch values[i + 1] {
        case 0x73, 0x74, 0x6D, 0x64: return i + 2  // s t m d
        case 0x72, 0x76:  // r v: 're 've
            return i + 2 < end && values[i + 2] == 0x65 ? i + 3 : nil
        case 0x6C:  // l: 'll
            return i + 2 < end && values[i + 2] == 0x6C ? i + 3 : nil
        default: return nil
        }
    }

    /// `\s+(?!\S)|\s+` at `i`, which holds whitespace: the run, less its last scalar when a
    /// non-space follows and the run is longer than one.
    @inline(__always)
    static func whitespaceEnd(_ classes: [PreTokenizerScalarClass], _ i: Int, _ end: Int) -> Int {
        var j = i + 1
        while j < end && classes[j] == .whitespace { j += 1 }
        if j == end || j - i == 1 { return j }
        return j - 1
    }
}
