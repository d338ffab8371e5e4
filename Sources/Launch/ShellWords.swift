/// Words for a POSIX shell's command line (the command ssh runs on a remote host).
package enum ShellWords {
    /// `word` as one shell word: single-quoted, with each `'` written as `'\''`.
    package static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `words` quoted and joined with spaces.
    package static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
