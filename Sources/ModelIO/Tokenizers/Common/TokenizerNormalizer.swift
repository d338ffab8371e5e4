import Foundation

/// Text normalization before pre-tokenization (Hugging Face's `normalizer`), for the kinds this project reads.
enum TokenizerNormalizer: Sendable {
    /// No normalizer.
    case none
    /// `NFC`: canonical composition.
    case nfc
    /// `BertNormalizer`.
    case bert(BertNormalizer)

    /// `text` normalized.
    func normalize(_ text: String) -> String {
        switch self {
        case .none: return text
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .bert(let normalizer): return normalizer.normalize(text)
        }
    }
}
