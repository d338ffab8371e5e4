extension Unicode.Scalar {
    /// Rust's `char::is_whitespace`: the Unicode White_Space property.
    var isTokenizerWhitespace: Bool { properties.isWhitespace }

    /// Unicode `\w` as the `regex` crate reads it: alphabetic, marks, decimal digits, connector
    /// punctuation and joiners (used for added tokens marked `single_word`).
    var isTokenizerWordCharacter: Bool {
        if value < 128 {
            let byte = UInt8(value)
            return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        let properties = self.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
