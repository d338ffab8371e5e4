import Foundation

/// A parsed JSON value, as found in safetensors headers, `config.json` and shard indexes.
///
/// Integers and fractional numbers stay distinct so that strict checks can tell `12` from `12.5`.
enum CheckpointJSON: Decodable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([CheckpointJSON])
    case object([String: CheckpointJSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([CheckpointJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: CheckpointJSON].self)) }
    }

    /// Parses UTF-8 JSON text; the error's message is one line.
    static func parse(_ data: Data) throws -> CheckpointJSON {
        do {
            return try JSONDecoder().decode(CheckpointJSON.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw CheckpointJSONError(message: underlying ?? context.debugDescription)
        } catch {
            throw CheckpointJSONError(message: String(describing: error).replacingOccurrences(of: "\n", with: " "))
        }
    }

    /// The members of an object, or nil.
    var objectValue: [String: CheckpointJSON]? { if case let .object(o) = self { return o } else { return nil } }
    /// The elements of an array, or nil.
    var arrayValue: [CheckpointJSON]? { if case let .array(a) = self { return a } else { return nil } }
    /// The string, or nil.
    var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }
    /// The integer (also a fractional number with no fractional part), or nil.
    var intValue: Int? {
        switch self {
        case let .int(i): return i
        case let .double(d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }
    /// The number, or nil.
    var doubleValue: Double? {
        switch self {
        case let .int(i): return Double(i)
        case let .double(d): return d
        default: return nil
        }
    }
    /// The boolean, or nil.
    var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    /// Whether this is JSON `null`.
    var isNull: Bool { self == .null }

    /// A short rendering for error messages.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return String(b)
        case let .int(i): return String(i)
        case let .double(d): return String(d)
        case let .string(s): return "\"\(s)\""
        case let .array(a): return "[" + a.prefix(4).map(\.shortDescription).joined(separator: ", ") + (a.count > 4 ? ", ...]" : "]")
        case .object: return "{...}"
        }
    }
}

/// JSON text that did not parse.
struct CheckpointJSONError: Error {
    let message: String
}
