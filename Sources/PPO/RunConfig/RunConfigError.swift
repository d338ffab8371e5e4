/// What is wrong with a run config: every case names the file and the key (dotted, e.g. `generation.top_k`).
public enum RunConfigError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be read.
    case unreadable(file: String, reason: String)
    /// The YAML does not parse (line numbers from the parser, 1-based).
    case malformed(file: String, line: Int?, reason: String)
    /// A key the config does not have (a typo, or a setting from another tool).
    case unknownKey(file: String, key: String, known: [String])
    /// A value of the wrong type.
    case wrongType(file: String, key: String, expected: String, found: String)
    /// A value outside its range.
    case outOfRange(file: String, key: String, value: String, requirement: String)
    /// A required key is absent.
    case missingKey(file: String, key: String)
    /// A path the config names does not exist.
    case missingPath(file: String, key: String, path: String)
    /// A `--set key=value` that is not of that form.
    case badOverride(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the run config: \(reason)"
        case let .malformed(file, line, reason):
            "\(file)\(line.map { ":\($0)" } ?? ""): not valid YAML: \(reason)"
        case let .unknownKey(file, key, known):
            "\(file): unknown key '\(key)'" + (known.isEmpty ? "" : "; known here: \(known.joined(separator: ", "))")
        case let .wrongType(file, key, expected, found): "\(file): '\(key)' must be \(expected), found \(found)"
        case let .outOfRange(file, key, value, requirement): "\(file): '\(key)' is \(value); it must be \(requirement)"
        case let .missingKey(file, key): "\(file): '\(key)' is required"
        case let .missingPath(file, key, path): "\(file): '\(key)' names \(path), which does not exist"
        case let .badOverride(text): "--set \(text): expected key=value (nested keys with dots, e.g. generation.top_k=0)"
        }
    }
}
