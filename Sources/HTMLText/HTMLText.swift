/// Text made safe for HTML and XML, in element content and in quoted attribute values: what the report and
/// the labeling page do with every text that came from a model, a file or a person.
package enum HTMLText {
    /// `text` with `& < > " '` as entities and control characters (other than newline and tab) replaced by
    /// U+FFFD, which XML forbids.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
