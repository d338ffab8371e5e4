/// What is wrong with a run config: every case names the file and the key (dotted, e.g. `generation.top_k`).
public struct RunConfigError: Error, Equatable, CustomStringConvertible {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
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
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// The file cannot be read.
    public static func unreadable(file: String, reason: String) -> RunConfigError { RunConfigError(.unreadable(file: file, reason: reason)) }
    /// The YAML does not parse (line numbers from the parser, 1-based).
    public static func malformed(file: String, line: Int?, reason: String) -> RunConfigError { RunConfigError(.malformed(file: file, line: line, reason: reason)) }
    /// A key the config does not have (a typo, or a setting from another tool).
    public static func unknownKey(file: String, key: String, known: [String]) -> RunConfigError { RunConfigError(.unknownKey(file: file, key: key, known: known)) }
    /// A value of the wrong type.
    public static func wrongType(file: String, key: String, expected: String, found: String) -> RunConfigError { RunConfigError(.wrongType(file: file, key: key, expected: expected, found: found)) }
    /// A value outside its range.
    public static func outOfRange(file: String, key: String, value: String, requirement: String) -> RunConfigError { RunConfigError(.outOfRange(file: file, key: key, value: value, requirement: requirement)) }
    /// A required key is absent.
    public static func missingKey(file: String, key: String) -> RunConfigError { RunConfigError(.missingKey(file: file, key: key)) }
    /// A path the config names does not exist.
    public static func missingPath(file: String, key: String, path: String) -> RunConfigError { RunConfigError(.missingPath(file: file, key: key, path: path)) }
    /// A `--set key=value` that is not of that form.
    public static func badOverride(_ v0: String) -> RunConfigError { RunConfigError(.badOverride(v0)) }

    /// The message: one line that says what is wrong and where.
    public var description: String {
        switch code {
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
