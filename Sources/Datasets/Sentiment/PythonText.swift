/// The parts of Python 3's `str` that VADER's arithmetic depends on, over code points.
///
/// Case properties and mappings come from Swift's Unicode tables, which may be a newer Unicode version than a
/// given Python's (3.11 has Unicode 14.0); only code points assigned or changed since then can differ.
enum PythonText {
    /// Python's whitespace (`str.isspace`): what `str.split()` splits on and `str.strip()` removes.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `s.split()`: the runs of non-whitespace code points.
    static func split(_ s: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        s.split(whereSeparator: isWhitespace)
    }

    /// `s.strip()`: without leading and trailing whitespace.
    static func strip(_ s: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
        guard let first = s.firstIndex(where: { !isWhitespace($0) }), let last = s.lastIndex(where: { !isWhitespace($0) }) else {
            return []
        }
        return s[first...last]
    }

    /// `string.punctuation`: the 32 ASCII punctuation characters.
    static func isASCIIPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// `s.strip(string.punctuation)`.
    static func stripPunctuation(_ s: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        guard let first = s.firstIndex(where: { !isASCIIPunctuation($0) }),
              let last = s.lastIndex(where: { !isASCIIPunctuation($0) }) else { return [] }
        return s[first...last]
    }

    /// `s.isupper()`: at least one uppercase code point and none lowercase or titlecase.
    static func isUpper(_ s: some Sequence<Unicode.Scalar>) -> Bool {
        var cased = false
        for c in s {
            let p = c.properties
            if p.isLowercase || p.generalCategory == .titlecaseLetter { return false }
            if p.isUppercase { cased = true }
        }
        return cased
    }

    /// `s.lower()`: each code point's full lowercase mapping, with capital sigma as final sigma (ς) where
    /// Unicode's Final_Sigma context holds, as CPython does.
    static func lower(_ s: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
        for i in s.indices {
            let c = s[i]
            if c.isASCII {
                out.append(("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c)
            } else if c == "\u{3A3}" {
                out.append(isFinalSigma(s, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else {
                out += c.properties.lowercaseMapping.unicodeScalars
            }
        }
        return out
    }

    /// CPython's `handle_capital_sigma`: a cased letter before (skipping case-ignorables) and none after.
    private static func isFinalSigma(_ s: ArraySlice<Unicode.Scalar>, at i: Int) -> Bool {
        guard let before = s[s.startIndex..<i].last(where: { !$0.properties.isCaseIgnorable }), before.properties.isCased else {
            return false
        }
        guard let after = s[(i + 1)...].first(where: { !$0.properties.isCaseIgnorable }) else { return true }
        return !after.properties.isCased
    }
}
