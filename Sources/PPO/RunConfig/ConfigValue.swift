import Yams

/// A run config's YAML as a plain tree, so `--set key=value` overrides can be applied before it is read:
/// scalars keep their text and whether they were quoted; mappings keep their key order.
indirect enum ConfigValue: Equatable {
    case scalar(String, quoted: Bool)
    case mapping([ConfigEntry])
    case list([ConfigValue])
    case null

    /// The most values a config may expand to, aliases counted at each use: a few hundred-byte alias bomb
    /// would otherwise expand to billions.
    static let maximumValues = 100_000

    /// Parses YAML text; `file` names it in errors. Duplicate keys are refused, and so is text nested more
    /// than `YAMLNesting.maximumDepth` deep or expanding to more than `maximumValues` values.
    static func parse(_ text: String, file: String) throws(RunConfigError) -> ConfigValue {
        try YAMLNesting.check(text, file: file)
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .malformed(file: file, line: Self.line(of: error), reason: Self.reason(of: error))
        } catch {
            throw .malformed(file: file, line: nil, reason: "\(error)")
        }
        guard let node else { return .mapping([]) }
        var budget = maximumValues
        return try convert(node, file: file, path: "", depth: 0, budget: &budget)
    }

    private static func convert(_ node: Node, file: String, path: String, depth: Int, budget: inout Int) throws(RunConfigError) -> ConfigValue {
        budget -= 1
        guard budget >= 0 else {
            throw .malformed(file: file, line: node.mark?.line, reason: "it expands to more than \(maximumValues) values (aliases count at each use)")
        }
        guard depth <= YAMLNesting.maximumDepth else {
            throw .malformed(file: file, line: node.mark?.line, reason: "nested more than \(YAMLNesting.maximumDepth) deep (aliases included)")
        }
        switch node {
        case let .scalar(s):
            if s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null }
            return .scalar(s.string, quoted: s.style != .plain)
        case let .mapping(mapping):
            var pairs: [ConfigEntry] = []
            var seen: Set<String> = []
            for (key, value) in mapping {
                guard case let .scalar(k) = key else {
                    throw .wrongType(file: file, key: path.isEmpty ? "(top level)" : path, expected: "string keys", found: "a complex key")
                }
                let dotted = path.isEmpty ? k.string : "\(path).\(k.string)"
                if !seen.insert(k.string).inserted {
                    throw .malformed(file: file, line: key.mark.map { $0.line }, reason: "'\(dotted)' appears twice")
                }
                pairs.append(ConfigEntry(key: k.string, value: try convert(value, file: file, path: dotted, depth: depth + 1, budget: &budget)))
            }
            return .mapping(pairs)
        case let .sequence(items):
            var out: [ConfigValue] = []
            for item in items { out.append(try convert(item, file: file, path: path, depth: depth + 1, budget: &budget)) }
            return .list(out)
        }
    }

    /// Sets the value at a dotted path, creating mappings on the way (a `--set` override).
    mutating func set(_ path: [String], to value: ConfigValue) {
        guard let head = path.first else { self = value; return }
        var pairs: [ConfigEntry]
        if case let .mapping(existing) = self { pairs = existing } else { pairs = [] }
        if let i = pairs.firstIndex(where: { $0.key == head }) {
            pairs[i].value.set(Array(path.dropFirst()), to: value)
        } else {
            var fresh = ConfigValue.mapping([])
            fresh.set(Array(path.dropFirst()), to: value)
            pairs.append(ConfigEntry(key: head, value: fresh))
        }
        self = .mapping(pairs)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _): mark.line
        default: nil
        }
    }

    private static func reason(of error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _): problem
        default: "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
    }
}

/// One key of a mapping and its value.
struct ConfigEntry: Equatable {
    var key: String
    var value: ConfigValue
}
