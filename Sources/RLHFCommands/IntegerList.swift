import ArgumentParser

/// A comma-separated list of integers on the command line (`5,17,42`). Every value must fit an `Int32`,
/// the type token ids, positions and mask values are stored in: a larger one is refused, not truncated.
/// A repeated option packed by `RepeatedOptions` arrives as several lists in one (`unpacked` splits them).
struct IntegerList: ExpressibleByArgument, Sendable {
    let values: [Int]
    /// The lists after the first, when a packed argument held several.
    private var more: [IntegerList] = []

    init?(argument: String) {
        if argument.contains(RepeatedOptions.separator) {
            let lists = argument.split(separator: RepeatedOptions.separator, omittingEmptySubsequences: false).map { IntegerList(argument: String($0)) }
            guard let first = lists.first ?? nil, lists.allSatisfy({ $0 != nil }) else { return nil }
            self = first
            more = lists.dropFirst().compactMap { $0 }
            return
        }
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var values: [Int] = []
        for part in parts {
            guard let v = Int32(part) else { return nil }
            values.append(Int(v))
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    /// The lists of `lists`, each packed argument split again.
    static func unpacked(_ lists: [IntegerList]) -> [IntegerList] {
        lists.flatMap { list -> [IntegerList] in
            var first = list
            first.more = []
            return [first] + list.more
        }
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
