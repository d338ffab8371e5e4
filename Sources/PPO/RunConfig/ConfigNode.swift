import Foundation

/// A strict reader over one mapping of a run config: typed getters that record each key they read, and
/// `finish()`, which refuses any key nobody read. Numbers are parsed from the plain scalar text, so
/// `1e-5` is a number (YAML 1.1 would call it a string); a quoted scalar is always a string. Strings may
/// name environment variables as `${NAME}` or `${NAME:-default}` (paths users override).
final class ConfigNode {
    /// The file, for errors.
    let file: String
    /// The dotted path of this mapping ("" at the top).
    let path: String
    private let pairs: [ConfigEntry]
    private var read: Set<String> = []
    private let environment: [String: String]

    init(file: String, path: String, value: ConfigValue, environment: [String: String]) throws(RunConfigError) {
        self.file = file
        self.path = path
        self.environment = environment
        switch value {
        case .null: pairs = []
        case let .mapping(pairs): self.pairs = pairs
        default:
            throw .wrongType(file: file, key: path.isEmpty ? "(top level)" : path, expected: "a mapping of keys",
                             found: Self.describe(value))
        }
    }

    /// The dotted name of key `name` here.
    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private func value(_ name: String) -> ConfigValue? {
        read.insert(name)
        guard let value = pairs.first(where: { $0.key == name })?.value, value != .null else { return nil }
        return value
    }

    /// Whether the key is present and not null (does not count as reading it).
    func has(_ name: String) -> Bool { pairs.contains { $0.key == name && $0.value != .null } }

    /// A nested mapping (empty when absent).
    func child(_ name: String) throws(RunConfigError) -> ConfigNode {
        try ConfigNode(file: file, path: key(name), value: value(name) ?? .null, environment: environment)
    }

    private func plain(_ name: String, expected: String) throws(RunConfigError) -> String? {
        guard let value = value(name) else { return nil }
        guard case let .scalar(text, quoted) = value, !quoted else {
            throw .wrongType(file: file, key: key(name), expected: expected, found: Self.describe(value))
        }
        return text
    }

    /// A finite number, or nil when absent.
    func double(_ name: String) throws(RunConfigError) -> Double? {
        guard let text = try plain(name, expected: "a number") else { return nil }
        if [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", "-.INF"].contains(text) {
            throw .outOfRange(file: file, key: key(name), value: text, requirement: "a finite number")
        }
        guard let v = Double(text.replacingOccurrences(of: "_", with: "")) else {
            throw .wrongType(file: file, key: key(name), expected: "a number", found: "'\(text)'")
        }
        guard v.isFinite else { throw .outOfRange(file: file, key: key(name), value: text, requirement: "a finite number") }
        return v
    }

    /// An integer, or nil when absent.
    func int(_ name: String) throws(RunConfigError) -> Int? {
        guard let text = try plain(name, expected: "an integer") else { return nil }
        guard let v = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw .wrongType(file: file, key: key(name), expected: "an integer", found: "'\(text)'")
        }
        return v
    }

    /// true or false, or nil when absent.
    func bool(_ name: String) throws(RunConfigError) -> Bool? {
        guard let text = try plain(name, expected: "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw .wrongType(file: file, key: key(name), expected: "true or false", found: "'\(text)'")
        }
    }

    /// A string with `${NAME}` / `${NAME:-default}` expanded, or nil when absent.
    func string(_ name: String) throws(RunConfigError) -> String? {
        guard let value = value(name) else { return nil }
        guard case let .scalar(text, _) = value else {
            throw .wrongType(file: file, key: key(name), expected: "a string", found: Self.describe(value))
        }
        return try expand(text, key: key(name))
    }

    /// A list of integers, or nil when absent.
    func ints(_ name: String) throws(RunConfigError) -> [Int]? {
        guard let value = value(name) else { return nil }
        guard case let .list(items) = value else {
            throw .wrongType(file: file, key: key(name), expected: "a list of integers", found: Self.describe(value))
        }
        var out: [Int] = []
        for item in items {
            guard case let .scalar(text, false) = item, let v = Int(text) else {
                throw .wrongType(file: file, key: key(name), expected: "a list of integers", found: Self.describe(item))
            }
            out.append(v)
        }
        return out
    }

    /// Refuses every key that no getter read.
    func finish() throws(RunConfigError) {
        if let extra = pairs.first(where: { !read.contains($0.key) }) {
            throw .unknownKey(file: file, key: key(extra.key), known: read.sorted())
        }
    }

    private func expand(_ text: String, key: String) throws(RunConfigError) -> String {
        var out = "", rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw .wrongType(file: file, key: key, expected: "a string whose ${...} are closed", found: "'\(text)'")
            }
            let body = rest[start.upperBound..<end]
            let parts = body.components(separatedBy: ":-")
            let name = parts[0]
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw .wrongType(file: file, key: key, expected: "${NAME} or ${NAME:-default}", found: "'${\(body)}'")
            }
            if let set = environment[name], !set.isEmpty {
                out += set
            } else if parts.count > 1 {
                out += parts.dropFirst().joined(separator: ":-")
            } else {
                throw .missingKey(file: file, key: "\(key) (environment variable \(name))")
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }

    static func describe(_ value: ConfigValue) -> String {
        switch value {
        case let .scalar(text, quoted): quoted ? "the string \"\(text)\"" : "'\(text)'"
        case .mapping: "a mapping"
        case .list: "a list"
        case .null: "null"
        }
    }
}
