/// What is wrong with a data file: the file, the line (1-based) where known, and why.
public struct DataFileError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public let file: String
    /// The line, or nil for the file as a whole.
    public let line: Int?
    /// What is wrong.
    public let reason: String

    /// Creates an error.
    public init(file: String, line: Int?, reason: String) { self.file = file; self.line = line; self.reason = reason }

    /// The message: one line that says what is wrong and where.
    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)" }
}
