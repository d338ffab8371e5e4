import Foundation

/// JSON Lines (plain or .gz): one JSON object per line, read as the file streams. A malformed line is an
/// error naming the file and line; with `skipBadLines` such lines are skipped and counted instead.
public final class JSONLines {
    private let reader: LineReader
    /// Skip malformed lines (counting them in `skipped`) instead of failing.
    public let skipBadLines: Bool
    /// Lines skipped as malformed.
    public private(set) var skipped = 0

    /// Opens `path`.
    public init(path: String, skipBadLines: Bool = false) throws {
        reader = try LineReader(path: path)
        self.skipBadLines = skipBadLines
    }

    /// The file.
    public var path: String { reader.path }
    /// The line number of the object last returned.
    public var lineNumber: Int { reader.lineNumber }

    /// The next object (blank lines are passed over), or nil at the end.
    public func next() throws -> [String: Any]? {
        while let line = try reader.nextLine() {
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                guard let object = try JSONSerialization.jsonObject(with: Foundation.Data(line.utf8)) as? [String: Any] else {
                    throw DataFileError(file: path, line: lineNumber, reason: "expected a JSON object")
                }
                return object
            } catch {
                let reason = (error as? DataFileError)?.reason ?? "not valid JSON"
                if skipBadLines { skipped += 1; continue }
                throw DataFileError(file: path, line: lineNumber, reason: reason)
            }
        }
        return nil
    }

    /// A string field of `object` read from the current line; missing or not a string is an error.
    public func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else {
            throw DataFileError(file: path, line: lineNumber, reason: "field \"\(key)\" is missing or not a string")
        }
        return value
    }
}
