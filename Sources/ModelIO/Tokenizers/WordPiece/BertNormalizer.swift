import Foundation

/// Hugging Face's `BertNormalizer`: in order, drop control characters and turn whitespace into spaces
/// (`clean_text`), put spaces around CJK ideographs (`handle_chinese_chars`), decompose and drop
/// non-spacing marks (`strip_accents`, which follows `lowercase` when null), and lower-case.
package struct BertNormalizer: Sendable, Equatable {
    /// `clean_text`.
    package var cleansText: Bool
    /// `handle_chinese_chars`.
    package var separatesChineseCharacters: Bool
    /// `strip_accents` (after resolving null to `lowercase`).
    package var stripsAccents: Bool
    /// `lowercase`.
    package var lowercases: Bool

    /// A normalizer with the tokenizer.json flags; `stripsAccents: nil` follows `lowercases`.
    package init(cleansText: Bool = true, separatesChineseCharacters: Bool = true, stripsAccents: Bool? = nil, lowercases: Bool = true) {
        self.cleansText = cleansText
        self.separatesChineseCharacters = separatesChineseCharacters
        self.stripsAccents = stripsAccents ?? lowercases
        self.lowercases = lowercases
    }

    /// `text` normalized. ASCII goes byte by byte; runs of other scalars are decomposed together
    /// (NFD is local between ASCII characters, so this equals decomposing the whole text).
    package func normalize(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 8)
        var run = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                if !run.isEmpty { finish(&run, into: &output) }
                var byte = UInt8(value)
                if cleansText {
                    // Tab, newline and return become spaces; other controls (Cc) go.
                    if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                        byte = 0x20
                    } else if byte < 0x20 || byte == 0x7F {
                        continue
                    }
                }
                if lowercases && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
                output.append(byte)
                continue
            }
            if cleansText {
                if value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    run.append(" ")
                    continue
                }
            }
            if separatesChineseCharacters && Self.isChineseCharacter(scalar) {
                run.append(" ")
                run.append(scalar)
                run.append(" ")
                continue
            }
            run.append(scalar)
        }
        if !run.isEmpty { finish(&run, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Strips accents from and lower-cases a run of non-ASCII text, appends it, and empties the run.
    private func finish(_ run: inout String.UnicodeScalarView, into output: inout [UInt8]) {
        let text = String(run)
        run.removeAll(keepingCapacity: true)
        let scalars = stripsAccents ? text.decomposedStringWithCanonicalMapping.unicodeScalars : text.unicodeScalars
        for scalar in scalars {
            if stripsAccents && scalar.properties.generalCategory == .nonspacingMark { continue }
            if lowercases {
                for lowered in scalar.properties.lowercaseMapping.unicodeScalars { output.append(contentsOf: UTF8.encode(lowered)!) }
            } else {
                output.append(contentsOf: UTF8.encode(scalar)!)
            }
        }
    }

    /// BERT's whitespace: tab, newline, carriage return, or Unicode White_Space.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// BERT's control characters: categories Cc, Cf, Cs and Co (not unassigned Cn, which Hugging Face
    /// keeps), except tab, newline and return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse: return true
        default: return false
        }
    }

    /// The CJK ideograph blocks Hugging Face's `is_chinese_char` lists.
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
