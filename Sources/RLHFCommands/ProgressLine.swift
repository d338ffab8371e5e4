import Foundation
import Training

/// A one-line progress bar on standard error, drawn only when standard error is a terminal.
final class ProgressLine {
    private let label: String
    private let total: Int
    private let enabled: Bool

    /// A bar for `total` steps (drawn only when `enabled` and standard error is a terminal).
    init(label: String, total: Int, enabled: Bool = true) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled && isatty(2) != 0
    }

    /// Redraws the bar at `done` steps with an optional note.
    func update(_ done: Int, note: String = "") {
        guard enabled else { return }
        let width = 24
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) \(note)\u{1B}[K".utf8))
    }

    /// Ends the line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension ProgressLine {
    /// A callback that redraws this line for each report.
    var reporter: (ProgressReport) -> Void { { [self] report in update(report.done, note: report.note) } }
}
