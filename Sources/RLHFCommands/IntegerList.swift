import ArgumentParser

/// A comma-separated list of integers on the command line (`5,17,42`). Every value must fit an `Int32`,
/// the type token ids, positions and mask values are stored in: a larger one is refused, not truncated.
struct IntegerList: ExpressibleByArgument, Sendable {
    let values: [Int]

    init?(argument: String) {
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

    static var defaultCompletionKind: CompletionKind { .default }
}
