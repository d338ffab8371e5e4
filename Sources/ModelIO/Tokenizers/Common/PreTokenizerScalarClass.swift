/// The classes the pre-tokenizer patterns distinguish: `\p{L}`, `\p{N}`, `\s` (Unicode White_Space, as
/// Oniguruma in Hugging Face `tokenizers` reads it) and everything else.
enum PreTokenizerScalarClass: UInt8 {
    case letter
    case number
    case whitespace
    case other

    private static let asciiTable: [PreTokenizerScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    /// The class of `scalar` (ASCII from a table).
    @inline(__always)
    init(_ scalar: Unicode.Scalar) {
        self = scalar.value < 128 ? Self.asciiTable[Int(scalar.value)] : Self.classify(scalar)
    }

    private static func classify(_ scalar: Unicode.Scalar) -> PreTokenizerScalarClass {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return properties.isWhitespace ? .whitespace : .other
        }
    }
}
