import Foundation

/// The terminal a dashboard draws on: its size, whether it takes colour and cursor movement, and its
/// keyboard in raw mode (one key at a time, no echo) for as long as the screen is open; `restore()` puts
/// the terminal back as it was (also on `q`, Ctrl-C or SIGTERM).
final class TerminalScreen: @unchecked Sendable {
    /// Whether standard output is a terminal that moves its cursor (not `TERM=dumb`).
    let redraws: Bool
    /// Whether to draw in colour: a redrawing terminal, without `NO_COLOR`, unless colour was turned off.
    let colour: Bool
    private var saved: termios?
    private let lock = NSLock()

    /// Opens the screen; `colour: false` turns colour off.
    init(colour wanted: Bool) {
        let environment = ProcessInfo.processInfo.environment
        redraws = isatty(1) != 0 && environment["TERM"] != "dumb"
        colour = wanted && redraws && environment["NO_COLOR"] == nil
        if isatty(0) != 0 {
            var settings = termios()
            if tcgetattr(0, &settings) == 0 {
                saved = settings
                settings.c_lflag &= ~tcflag_t(ICANON | ECHO)
                tcsetattr(0, TCSANOW, &settings)
            }
        }
        if redraws { write("\u{1B}[?25l") }  // hide the cursor
    }

    /// The terminal's size (80×24 when it does not say).
    var size: (width: Int, height: Int) {
        var window = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0, window.ws_row > 0 else { return (80, 24) }
        return (Int(window.ws_col), Int(window.ws_row))
    }

    /// Draws `lines` over the last frame (or, on a terminal that cannot redraw, after it).
    func draw(_ lines: [String]) {
        if redraws {
            write("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\u{1B}[J")
        } else {
            write(lines.joined(separator: "\n") + "\n\n")
        }
    }

    /// Calls `quit` when `q` is pressed (on a terminal keyboard), from a thread of its own.
    func onQuitKey(_ quit: @escaping @Sendable () -> Void) {
        guard saved != nil else { return }
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(0, &byte, 1) == 1 { if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") { quit(); return } }
        }
    }

    /// Puts the terminal back as it was (once).
    func restore() {
        lock.withLock {
            if redraws { write("\u{1B}[?25h\n") }
            if var settings = saved { tcsetattr(0, TCSANOW, &settings) }
            saved = nil
        }
    }

    private func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}
