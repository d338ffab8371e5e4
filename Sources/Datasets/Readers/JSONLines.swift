import Foundation
import Storage

/// JSON Lines (plain or .gz): one JSON object per line, read as the file streams. A malformed line is an
/// error naming the file and line; with `skipBadLines` such lines are skipped and counted instead, and so
/// are lines a reader of records finds nothing in (`noteNothing`), up to `LineReader.maximumBlankRun` of
/// them in a row: a file of nothing but such lines fails fast instead of taking minutes.
package final class JSONLines {
    private let reader: LineReader
    /// Skip malformed lines (counting them in `skipped`) instead of failing.
    package let skipBadLines: Bool
    /// Lines skipped as malformed.
    package private(set) var skipped = 0
    /// Lines in a row that held nothing a reader used (skipped as malformed, or `noteNothing`).
    private var nothingRun = 0

    /// Opens `path`.
    package init(path: String, skipBadLines: Bool = false) throws {
        reader = try LineReader(path: path)
        self.skipBadLines = skipBadLines
    }

    /// The file.
    package var path: String { reader.path }
    /// The line number of the object last returned.
    package var lineNumber: Int { reader.lineNumber }

    /// The next object (blank lines are passed over), or nil at the end.
    package func next() throws -> [String: Any]? {
        while let line = try reader.nextLine() {
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw DataFileError(file: path, line: lineNumber, reason: "expected a JSON object")
                }
                return object
            } catch {
                let reason = (error as? DataFileError)?.reason ?? "not valid JSON"
                if skipBadLines {
                    skipped += 1
                    try noteNothing()
                    continue
                }
                throw DataFileError(file: path, line: lineNumber, reason: reason)
            }
        }
        return nil
    }

    /// Counts the current line as one that held nothing (a skipped record); too many in a row is an error.
    package func noteNothing() throws {
        nothingRun += 1
        if nothingRun > LineReader.maximumBlankRun {
            throw DataFileError(file: path, line: lineNumber,
                                reason: "more than \(LineReader.maximumBlankRun) lines in a row hold nothing to read; not a data file")
        }
    }

    /// Counts the current line as one that held a record.
    package func noteRecord() { nothingRun = 0 }

    /// A string field of `object` read from the current line; missing or not a string is an error.
    package func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else {
            throw DataFileError(file: path, line: lineNumber, reason: "field \"\(key)\" is missing or not a string")
        }
        return value
    }
}
