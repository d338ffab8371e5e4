/// Options given many times, parsed in linear time. swift-argument-parser spends time proportional to the
/// occurrences so far on each occurrence of an option (20,000 `--set` took 27 s), so `runMain` packs
/// every occurrence of an array option that appears more than `threshold` times into one argument, its
/// values joined by NUL (which no command-line argument can hold), and the command's `validate()` unpacks
/// them again: the values, and their order, are exactly those typed. Any other option given more than
/// `threshold` times is refused: it takes one value (or none), so so many are a mistake.
enum RepeatedOptions {
    /// The array options of each subcommand (by its path); a subcommand's other options are left alone
    /// (`rlhf score --text` takes one text: repeated, the last one counts, as ArgumentParser decides).
    static let arrayOptions: [[String]: Set<String>] = [
        ["ppo"]: ["--set"], ["learner"]: ["--set"], ["launch"]: ["--set"], ["generate"]: ["--prompt"],
        ["reward", "score"]: ["--text", "--text-file", "--ids", "--attention-mask"],
    ]
    /// Occurrences of one option left as they are (the parser's cost is negligible up to here).
    static let threshold = 32
    /// What joins packed values.
    static let separator: Character = "\u{0}"

    /// `arguments` with each repeatable option that occurs more than `threshold` times packed into its first
    /// place: `--name V1 ... --name Vn` (or `--name=V`) becomes `--name V1␀...␀Vn`. Only occurrences whose
    /// value is a separate argument not starting with `-` (or `--name=V`) are packed; anything after `--`
    /// is left alone.
    static func pack(_ arguments: [String]) throws(RepeatedOptionError) -> [String] {
        let path = Array(arguments.prefix { !$0.hasPrefix("-") }.prefix(2))
        let names = arrayOptions[path] ?? arrayOptions[Array(path.prefix(1))] ?? []
        var counts: [Substring: Int] = [:]
        for token in arguments.prefix(while: { $0 != "--" }) where token.hasPrefix("--") && token.count > 2 {
            counts[token.prefix { $0 != "=" }, default: 0] += 1
        }
        if let (name, count) = counts.first(where: { !names.contains(String($0.key)) && $0.value > threshold }) {
            throw RepeatedOptionError(option: String(name), count: count)
        }
        var values: [String: [String]] = [:]
        var index = 0
        func occurrence(at i: Int) -> (name: String, value: String, width: Int)? {
            let token = arguments[i]
            if let equals = token.firstIndex(of: "="), names.contains(String(token[..<equals])) {
                return (String(token[..<equals]), String(token[token.index(after: equals)...]), 1)
            }
            guard names.contains(token), i + 1 < arguments.count else { return nil }
            let value = arguments[i + 1]
            guard !value.hasPrefix("-") || value == "-" else { return nil }
            return (token, value, 2)
        }
        while index < arguments.count, arguments[index] != "--" {
            if let found = occurrence(at: index) {
                values[found.name, default: []].append(found.value)
                index += found.width
            } else {
                index += 1
            }
        }
        let packed = values.filter { $0.value.count > threshold }
        guard !packed.isEmpty else { return arguments }
        var result: [String] = []
        var emitted: Set<String> = []
        index = 0
        while index < arguments.count {
            if arguments[index] == "--" { result += arguments[index...]; break }
            if let found = occurrence(at: index), let all = packed[found.name] {
                if emitted.insert(found.name).inserted { result += [found.name, all.joined(separator: String(separator))] }
                index += found.width
            } else {
                result.append(arguments[index])
                index += 1
            }
        }
        return result
    }

    /// The values `pack` joined, split again (values that were never packed come back as they are).
    static func unpack(_ values: [String]) -> [String] {
        values.contains { $0.contains(separator) }
            ? values.flatMap { $0.split(separator: separator, omittingEmptySubsequences: false).map(String.init) } : values
    }
}

/// An option that takes one value (or none) given more times than `RepeatedOptions.threshold`.
struct RepeatedOptionError: Error, CustomStringConvertible {
    /// The option.
    let option: String
    /// How often it was given.
    let count: Int

    var description: String { "\(option) is given \(count) times; it is not an option to repeat (give it once)" }
}
