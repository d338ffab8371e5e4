/// Text held as Unicode code points and compared code point by code point, as Python compares `str`.
///
/// VADER's rules look words up in dictionaries and compare them with fixed words. Swift's `String` compares by
/// canonical equivalence (`"\u{37E}" == ";"`, `"e\u{301}" == "é"`), which would find lexicon entries Python
/// does not, so every word, phrase and lexicon key here is a `CodePoints`.
struct CodePoints: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The code points, in order.
    var scalars: [Unicode.Scalar]

    init(_ scalars: some Sequence<Unicode.Scalar>) { self.scalars = Array(scalars) }

    init(stringLiteral value: String) { scalars = Array(value.unicodeScalars) }

    /// The words joined by single spaces, as VADER builds its two- and three-word phrases.
    init(phrase words: CodePoints...) {
        scalars = []
        for (k, word) in words.enumerated() {
            if k > 0 { scalars.append(" ") }
            scalars += word.scalars
        }
    }

    var description: String {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }

    /// Whether `other` occurs as a contiguous run of code points (Python's `other in self`).
    func contains(_ other: CodePoints) -> Bool {
        let n = other.scalars.count
        guard n > 0 else { return true }
        guard scalars.count >= n else { return false }
        for start in 0...(scalars.count - n) where scalars[start..<(start + n)].elementsEqual(other.scalars) { return true }
        return false
    }
}
