/// A labeling store that cannot be opened or used: one line saying what and where (a malformed pairs file
/// is a `DataFileError`).
package struct LabelingError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    package enum Code: Equatable, Sendable {
        case database(path: String, reason: String)
        case otherPairs(database: String, pairs: String, reason: String)
    }

    package let code: Code

    package init(_ code: Code) { self.code = code }

    package var description: String {
        switch code {
        case let .database(path, reason): return "\(path): \(reason)"
        case let .otherPairs(database, pairs, reason):
            return "\(database) holds the pairs of another file than \(pairs) (\(reason)); label these pairs in a new --db"
        }
    }
}
