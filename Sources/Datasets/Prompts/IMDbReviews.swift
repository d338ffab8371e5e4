import Storage

/// IMDb's Large Movie Review Dataset as JSON Lines: `{"id", "text", "label" (1 positive, 0 negative),
/// "rating"}`, with `<br />` line breaks in the texts replaced by spaces.
public enum IMDbReviews {
    /// One review.
    public struct Review: Sendable, Equatable {
        /// The text, `<br />` replaced by a space.
        public var text: String
        /// 1 positive, 0 negative.
        public var label: Int
    }

    /// Every review of `path` (plain or .gz), in file order.
    public static func load(path: String, skipBadLines: Bool = false) throws -> [Review] {
        let lines = try JSONLines(path: path, skipBadLines: skipBadLines)
        var reviews: [Review] = []
        while let object = try lines.next() {
            let text = try lines.string(object, "text")
            guard let label = object["label"] as? Int, label == 0 || label == 1 else {
                if skipBadLines {
                    try lines.noteNothing()
                    continue
                }
                throw DataFileError(file: path, line: lines.lineNumber, reason: "field \"label\" must be 0 or 1")
            }
            lines.noteRecord()
            reviews.append(Review(text: text.contains("<br />") ? text.replacing("<br />", with: " ") : text, label: label))
        }
        return reviews
    }
}
