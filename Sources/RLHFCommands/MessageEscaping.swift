/// Keeps an error message on one line: control characters (a newline in a path or value) are shown as
/// escapes (`\n`, `\t`, `\u{1B}`), the rest of the text whole.
enum MessageEscaping {
    /// `text` with every control character escaped.
    static func oneLine(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
