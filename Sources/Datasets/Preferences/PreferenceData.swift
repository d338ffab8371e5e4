import Storage

/// Reads preference pairs from JSONL or JSONL.gz files in the `PreferenceFormat`s.
public enum PreferenceData {
    /// Every pair of `path` in `format` (streaming JSONL or JSONL.gz), in line order, and the number of
    /// malformed lines skipped. A malformed line (not JSON, a field missing or of the wrong type, an HH
    /// transcript that does not split) is a `DataFileError` naming file and line, or with `skipBadLines`
    /// it is skipped and counted. DExperts toxicity rows and ties are no pairs and not counted as skipped.
    public static func read(path: String, format: PreferenceFormat, skipBadLines: Bool = false) throws -> (pairs: [PreferencePair], skipped: Int) {
        let (pairs, skipped) = try JSONLines.records(path: path, skipBadLines: skipBadLines) { lines, row -> PreferencePair? in
            switch format {
            case .hh:
                let chosen = try lines.string(row, "chosen"), rejected = try lines.string(row, "rejected")
                do { return try HHTranscript.pair(chosen: chosen, rejected: rejected) } catch { throw lines.error("\(error)") }
            case .dexperts:
                return try DExpertsJudgement.pair(row, in: lines)
            case .pairs:
                return PreferencePair(prompt: try lines.string(row, "prompt"), chosen: try lines.string(row, "chosen"),
                                      rejected: try lines.string(row, "rejected"))
            }
        }
        return (pairs, skipped)
    }
}
