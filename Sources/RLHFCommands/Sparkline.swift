import Foundation

/// How the monitor's dashboard draws: sparklines, compact numbers and times, text from the wire made safe to
/// print on one line, and lines of styled pieces cut to the terminal's width.
extension MonitorDashboard {
    /// The eight heights a sparkline draws with, lowest first.
    static let sparkBlocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` of `values` (oldest first) as block characters scaled between the least and greatest
    /// finite value shown: a constant series draws all `▄`, a value that is not finite a space.
    static func sparkline(_ values: [Double], width: Int) -> String {
        guard width > 0 else { return "" }
        let window = values.suffix(width)
        let finite = window.filter(\.isFinite)
        guard let least = finite.min(), let greatest = finite.max() else { return String(repeating: " ", count: window.count) }
        // halves, so that the span of the widest finite values does not overflow
        let span = greatest / 2 - least / 2
        return String(window.map { value -> Character in
            guard value.isFinite else { return " " }
            let scaled = span > 0 ? (value / 2 - least / 2) / span * 7 : 3
            guard scaled.isFinite else { return "▄" }
            return sparkBlocks[Int(min(max(scaled.rounded(), 0), 7))]
        })
    }

    /// `value` with at most four significant digits (`%.4g`: `0.1235`, `-12.5`, `1.235e+05`), or `nan`, `inf`, `-inf`.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
        return String(format: "%.4g", value)
    }

    /// `value` with `digits` decimals and then `unit` (`0.02s`), or `-` when it is not finite.
    static func fixed(_ value: Double, digits: Int, unit: String = "") -> String {
        guard value.isFinite else { return "-" }
        return String(format: "%.\(max(0, min(digits, 9)))f", value) + unit
    }

    /// A time since, in seconds (`0.4s`, `12s`, `15m`, `3h`), or `-` when it is not finite.
    static func elapsed(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let seconds = max(seconds, 0)
        if seconds < 10 { return fixed(seconds, digits: 1, unit: "s") }
        if seconds < 600 { return fixed(seconds, digits: 0, unit: "s") }
        if seconds < 36_000 { return fixed(seconds / 60, digits: 0, unit: "m") }
        return fixed(seconds / 3600, digits: 0, unit: "h")
    }

    /// `text` safe to print on one line: control, format and line or paragraph separator characters become `?`.
    static func printable(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` cut to `width` characters, an ellipsis ending a cut one.
    static func truncated(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        return width <= 0 ? "" : String(text.prefix(width - 1)) + "…"
    }

    /// The SGR codes a piece of a line may be drawn with.
    enum Style: String, Sendable {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33"
    }

    /// One line of the dashboard: pieces of printable text, each drawn plain or in one style.
    struct Line: Sendable {
        /// The pieces, in order.
        private(set) var pieces: [(text: String, style: Style?)] = []

        /// An empty line.
        init() {}

        /// A line of one piece.
        init(_ text: String, _ style: Style? = nil) {
            append(text, style)
        }

        /// Its visible characters.
        var width: Int { pieces.reduce(0) { $0 + $1.text.count } }

        /// Adds `text` at the end, drawn in `style`.
        mutating func append(_ text: String, _ style: Style? = nil) {
            pieces.append((text: text, style: style))
        }

        /// The line cut to `width` visible characters (an ellipsis ends a cut line), each styled piece between its
        /// SGR code and a reset when `colour`, and no escape at all otherwise.
        func rendered(width: Int, colour: Bool) -> String {
            guard width > 0 else { return "" }
            let cut = self.width > width
            var room = cut ? width - 1 : width
            var out = ""
            for piece in pieces where room > 0 {
                let text = String(piece.text.prefix(room))
                room -= text.count
                if colour, let style = piece.style, !text.isEmpty {
                    out += "\u{1B}[\(style.rawValue)m" + text + "\u{1B}[0m"
                } else {
                    out += text
                }
            }
            return cut ? out + "…" : out
        }
    }
}
