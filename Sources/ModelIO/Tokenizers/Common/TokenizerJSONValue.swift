import Foundation
import Storage

/// A JSON value read from a tokenizer file. Objects keep their members in file order and their keys as
/// written, so vocabulary entries that differ only in Unicode normalization stay distinct (Swift `String`
/// dictionaries would merge canonically equivalent keys; Hugging Face compares bytes).
enum TokenizerJSONValue {
    case object([(key: String, value: TokenizerJSONValue)])
    case array([TokenizerJSONValue])
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case null

    /// The member named `key` of an object (the last one when a key repeats); nil otherwise.
    subscript(key: String) -> TokenizerJSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var array: [TokenizerJSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    var members: [(key: String, value: TokenizerJSONValue)]? { if case .object(let m) = self { return m } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var double: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    var isNull: Bool { if case .null = self { return true } else { return false } }

    /// An integer, also from a number written with a fraction of zero (`3.0`).
    var integer: Int? {
        switch self {
        case .integer(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    /// Reads and parses the JSON file at `url`, refused when larger than `limit` bytes; errors name the file.
    static func read(_ url: URL, limit: Int = SideFile.Limit.tokenizerJSON) throws -> TokenizerJSONValue {
        let data: Data
        do { data = try SideFile.read(url.path, limit: limit, what: "a \(url.lastPathComponent)") } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.reason)
        }
        return try parse(data, file: url.path)
    }

    /// Parses JSON text; `file` names the source in errors.
    static func parse(_ data: Data, file: String) throws -> TokenizerJSONValue {
        var parser = TokenizerJSONParser(bytes: [UInt8](data))
        do {
            let value = try parser.parseDocument()
            return value
        } catch let error as TokenizerJSONParser.Failure {
            throw TokenizerError.invalidJSON(file: file, reason: "\(error.message) at byte \(error.offset)")
        }
    }
}
