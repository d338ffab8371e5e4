import Foundation
import Storage

/// Typed, strict access to the fields of a Hugging Face JSON file; every failure names the file and field.
struct HFConfigFields {
    /// The file, for messages.
    let file: String
    /// The object whose fields are read.
    let object: [String: CheckpointJSON]
    /// Prefix for field names in messages (`rope_parameters.` inside that object).
    let keyPrefix: String

    /// Reads and parses the JSON object at `url`.
    init(contentsOf url: URL) throws {
        let data: Data
        do { data = try SideFile.read(url.path, limit: SideFile.Limit.modelConfig, what: "a \(url.lastPathComponent)") } catch {
            throw HFCheckpointError.unreadableFile(file: url.path, reason: error.reason)
        }
        try self.init(data: data, file: url.path)
    }

    /// Parses `data` as a JSON object.
    init(data: Data, file: String) throws {
        let root: CheckpointJSON
        do { root = try CheckpointJSON.parse(data) } catch let error as CheckpointJSONError {
            throw HFCheckpointError.malformedJSON(file: file, reason: "not valid JSON: \(error.message)")
        }
        guard let object = root.objectValue else {
            throw HFCheckpointError.malformedJSON(file: file, reason: "top level is \(root.shortDescription), not an object")
        }
        self.init(file: file, object: object, keyPrefix: "")
    }

    init(file: String, object: [String: CheckpointJSON], keyPrefix: String) {
        self.file = file
        self.object = object
        self.keyPrefix = keyPrefix
    }

    /// Whether `key` is present at all (even as null).
    func has(_ key: String) -> Bool { object[key] != nil }

    /// The value of `key`, treating JSON `null` as absent.
    func value(_ key: String) -> CheckpointJSON? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    /// A required positive integer.
    func positiveInt(_ key: String) throws -> Int {
        guard let value = value(key) else { throw HFCheckpointError.missingField(file: file, key: keyPrefix + key) }
        guard let int = value.intValue, int > 0 else { throw invalid(key, value, "a positive integer") }
        return int
    }

    /// An optional positive integer (absent or null gives nil).
    func optionalPositiveInt(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.intValue, int > 0 else { throw invalid(key, value, "a positive integer or null") }
        return int
    }

    /// An optional non-negative integer (absent or null gives nil).
    func optionalTokenID(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.intValue, int >= 0 else { throw invalid(key, value, "a token id or null") }
        return int
    }

    /// Token ids given as one integer, a list of integers, or null (empty).
    func tokenIDList(_ key: String) throws -> [Int] {
        guard let value = value(key) else { return [] }
        if let int = value.intValue, int >= 0 { return [int] }
        if let array = value.arrayValue {
            let ids = array.compactMap(\.intValue).filter { $0 >= 0 }
            if ids.count == array.count { return ids }
        }
        throw invalid(key, value, "a token id, a list of token ids, or null")
    }

    /// A positive number, or `defaultValue` when absent.
    func positiveNumber(_ key: String, default defaultValue: Double) throws -> Double {
        guard let value = value(key) else { return defaultValue }
        guard let number = value.doubleValue, number > 0, number.isFinite else { throw invalid(key, value, "a positive number") }
        return number
    }

    /// A boolean, or `defaultValue` when absent.
    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = value(key) else { return defaultValue }
        guard let bool = value.boolValue else { throw invalid(key, value, "true or false") }
        return bool
    }

    /// A string, or `defaultValue` when absent.
    func string(_ key: String, default defaultValue: String?) throws -> String? {
        guard let value = value(key) else { return defaultValue }
        guard let string = value.stringValue else { throw invalid(key, value, "a string") }
        return string
    }

    /// A nested object, or nil when absent.
    func nested(_ key: String) throws -> HFConfigFields? {
        guard let value = value(key) else { return nil }
        guard let object = value.objectValue else { throw invalid(key, value, "an object") }
        return HFConfigFields(file: file, object: object, keyPrefix: keyPrefix + key + ".")
    }

    func invalid(_ key: String, _ value: CheckpointJSON, _ expected: String) -> HFCheckpointError {
        .invalidField(file: file, key: keyPrefix + key, value: value.shortDescription, expected: expected)
    }
}
