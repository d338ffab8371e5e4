/// Hugging Face's `BertPreTokenizer`: split on whitespace (dropped), then every punctuation scalar
/// (ASCII punctuation or Unicode P*) on its own.
enum BertPreTokenizer {
    /// The words of `text`, as UTF-8 byte arrays.
    static func words(_ text: String) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        for scalar in text.unicodeScalars {
            if isWhitespace(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append(Array(UTF8.encode(scalar)!))
            } else {
                current.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `char::is_whitespace`: Unicode White_Space.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 128 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return scalar.properties.isWhitespace
    }

    /// `char::is_ascii_punctuation` or a Unicode punctuation category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 128 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value) || (0x5B...0x60).contains(value) || (0x7B...0x7E).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}
