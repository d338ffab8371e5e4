import Foundation

/// Hugging Face's `BertNormalizer`: in order, drop control characters and turn whitespace into spaces
/// (`clean_text`), put spaces around CJK ideographs (`handle_chinese_chars`), decompose and drop
/// non-spacing marks (`strip_accents`, which follows `lowercase` when null), and lower-case.
public struct BertNormalizer: Sendable, Equatable {
    /// `clean_text`.
    public var cleansText: Bool
    /// `handle_chinese_chars`.
    public var separatesChineseCharacters: Bool
    /// `strip_accents` (after resolving null to `lowercase`).
    public var stripsAccents: Bool
    /// `lowercase`.
    public var lowercases: Bool

    /// A normalizer with the tokenizer.json flags; `stripsAccents: nil` follows `lowercases`.
    public init(cleansText: Bool = true, separatesChineseCharacters: Bool = true, stripsAccents: Bool? = nil, lowercases: Bool = true) {
        self.cleansText = cleansText
        self.separatesChineseCharacters = separatesChineseCharacters
        self.stripsAccents = stripsAccents ?? lowercases
        self.lowercases = lowercases
    }

    /// `text` normalized.
    public func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if cleansText {
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    scalars.append(" ")
                    continue
                }
            }
            if separatesChineseCharacters && Self.isChineseCharacter(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
                continue
            }
            scalars.append(scalar)
        }
        var result = String(scalars)
        if stripsAccents {
            var stripped = String.UnicodeScalarView()
            for scalar in result.decomposedStringWithCanonicalMapping.unicodeScalars
            where scalar.properties.generalCategory != .nonspacingMark {
                stripped.append(scalar)
            }
            result = String(stripped)
        }
        if lowercases {
            var lowered = String.UnicodeScalarView()
            for scalar in result.unicodeScalars {
                if scalar.value < 128 {
                    let value = scalar.value
                    lowered.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(value + 0x20)! : scalar)
                } else {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            result = String(lowered)
        }
        return result
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
