import Yams

/// A run config's YAML as a plain tree, so `--set key=value` overrides can be applied before it is read:
/// scalars keep their text and whether they were quoted; mappings keep their key order.
indirect enum ConfigValue: Equatable {
    case scalar(String, quoted: Bool)
    case mapping([ConfigEntry])
    case list([ConfigValue])
    case null

    /// Parses YAML text; `file` names it in errors. Duplicate keys are refused.
    static func parse(_ text: String, file: String) throws(RunConfigError) -> ConfigValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .malformed(file: file, line: Self.line(of: error), reason: Self.reason(of: error))
        } catch {
            throw .malformed(file: file, line: nil, reason: "\(error)")
        }
        guard let node else { return .mapping([]) }
        return try convert(node, file: file, path: "")
    }

    private static func convert(_ node: Node, file: String, path: String) throws(RunConfigError) -> ConfigValue {
        switch node {
        case let .scalar(s):
            if s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null }
            return .scalar(s.string, quoted: s.style != .plain)
        case let .mapping(mapping):
            var pairs: [ConfigEntry] = []
            for (key, value) in mapping {
                guard case let .scalar(k) = key else {
                    throw .wrongType(file: file, key: path.isEmpty ? "(top level)" : path, expected: "string keys", found: "a complex key")
                }
                let dotted = path.isEmpty ? k.string : "\(path).\(k.string)"
                if pairs.contains(where: { $0.key == k.string }) {
                    throw .malformed(file: file, line: key.mark.map { $0.line }, reason: "'\(dotted)' appears twice")
                }
                pairs.append(ConfigEntry(key: k.string, value: try convert(value, file: file, path: dotted)))
            }
            return .mapping(pairs)
        case let .sequence(items):
            var out: [ConfigValue] = []
            for item in items { out.append(try convert(item, file: file, path: path)) }
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
