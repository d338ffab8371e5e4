import Foundation

/// Why a result could not be written as JSON (never the encoder's internal text).
enum JSONOutputError: Error, CustomStringConvertible, Equatable {
    /// The result holds a NaN or infinite number, which JSON cannot spell.
    case notEncodable

    var description: String { "the result holds a NaN or infinite number, which JSON cannot represent" }
}

/// One-line JSON for machine-readable command output.
enum JSONOutput {
    /// Encodes `value` as a single line with stable key order.
    static func line<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw JSONOutputError.notEncodable
        }
    }
}
