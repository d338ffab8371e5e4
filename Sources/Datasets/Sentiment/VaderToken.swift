/// One word of a text as VADER sees it: split on whitespace, with leading and trailing ASCII punctuation
/// removed unless that leaves two code points or fewer (so ":)" and "ok!" stay as they are).
struct VaderToken: Sendable {
    /// The word lower-cased (Python's `str.lower()`), as VADER compares and looks it up.
    let lower: CodePoints
    /// Whether the word is ALL CAPS (Python's `str.isupper()`).
    let isUpper: Bool

    init(_ raw: ArraySlice<Unicode.Scalar>) {
        let stripped = PythonText.stripPunctuation(raw)
        let word = stripped.count <= 2 ? raw : stripped
        lower = CodePoints(PythonText.lower(word))
        isUpper = PythonText.isUpper(word)
    }

    /// The words of `text` (already stripped of surrounding whitespace).
    static func words(of text: ArraySlice<Unicode.Scalar>) -> [VaderToken] {
        PythonText.split(Array(text)).map(VaderToken.init)
    }
}
