import Foundation

/// One-line JSON for machine-readable command output.
enum JSONOutput {
    /// Encodes `value` as a single line with stable key order.
    static func line<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
