import Storage

extension JSONLines {
    /// Every record `parse` makes of the objects of `path` (nil: the line holds no record, such as a tie),
    /// and the number of malformed lines skipped. A line that is not a JSON object, or that `parse` finds
    /// malformed (a `DataFileError`), stops the read unless `skipBadLines`, which skips and counts it.
    static func records<Record>(
        path: String, skipBadLines: Bool, _ parse: (JSONLines, [String: Any]) throws -> Record?
    ) throws -> (records: [Record], skipped: Int) {
        let lines = try JSONLines(path: path, skipBadLines: skipBadLines)
        var records: [Record] = []
        var malformed = 0
        while let object = try lines.next() {
            do {
                if let record = try parse(lines, object) {
                    records.append(record)
                    lines.noteRecord()
                } else {
                    try lines.noteNothing()
                }
            } catch let error as DataFileError where skipBadLines && error.file == lines.path && error.line == lines.lineNumber {
                malformed += 1
                try lines.noteNothing()
            }
        }
        return (records, lines.skipped + malformed)
    }

    /// A `DataFileError` at the current line.
    func error(_ reason: String) -> DataFileError { DataFileError(file: path, line: lineNumber, reason: reason) }
}
