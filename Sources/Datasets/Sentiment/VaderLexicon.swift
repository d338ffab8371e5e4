import Foundation
import ModelIO
import Storage

/// Why VADER's lexicons could not be loaded; each message is one line naming the file (and line).
public struct VaderLexiconError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// A lexicon file does not exist.
        case missing(path: String)
        /// A lexicon file exists but cannot be read.
        case unreadable(path: String, reason: String)
        /// A lexicon file is not UTF-8 text.
        case notUTF8(path: String)
        /// A line is not in the lexicon's `token<TAB>value[<TAB>...]` form.
        case malformedLine(path: String, line: Int, reason: String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// A lexicon file does not exist.
    public static func missing(path: String) -> VaderLexiconError { VaderLexiconError(.missing(path: path)) }
    /// A lexicon file exists but cannot be read.
    public static func unreadable(path: String, reason: String) -> VaderLexiconError { VaderLexiconError(.unreadable(path: path, reason: reason)) }
    /// A lexicon file is not UTF-8 text.
    public static func notUTF8(path: String) -> VaderLexiconError { VaderLexiconError(.notUTF8(path: path)) }
    /// A line is not in the lexicon's `token<TAB>value[<TAB>...]` form.
    public static func malformedLine(path: String, line: Int, reason: String) -> VaderLexiconError { VaderLexiconError(.malformedLine(path: path, line: line, reason: reason)) }

    /// A one-line description.
    public var description: String {
        switch code {
        case .missing(let path):
            return "VADER lexicon \(path) does not exist; `make models` fetches vaderSentiment 3.3.2's lexicons into models/vader"
        case let .unreadable(path, reason):
            return "VADER lexicon \(path): cannot read: \(reason)"
        case .notUTF8(let path):
            return "VADER lexicon \(path) is not UTF-8 text"
        case let .malformedLine(path, line, reason):
            return "VADER lexicon \(path): line \(line): \(reason)"
        }
    }
}

/// VADER's two lexicons as vaderSentiment 3.3.2 ships them: `vader_lexicon.txt` (token, mean valence, standard
/// deviation, ten ratings; tab-separated) and `emoji_utf8_lexicon.txt` (emoji, English description).
///
/// Loading is strict: every line must have a token and a second field (a finite decimal valence in the
/// valence lexicon), or it is an error naming the file and the line. As in the Python package, empty lines of
/// the valence lexicon are skipped, surrounding whitespace (a CRLF's CR) is dropped, fields after the second
/// are ignored, and a token listed twice keeps its last value.
public struct VaderLexicon: Sendable {
    /// The valence lexicon's file name.
    public static let valenceFileName = "vader_lexicon.txt"
    /// The emoji lexicon's file name.
    public static let emojiFileName = "emoji_utf8_lexicon.txt"

    /// Mean valence of each token (lexicon keys as written; VADER looks words up lower-cased).
    let valences: [CodePoints: Double]
    /// The description that replaces each emoji that is one code point (the Python package reads text one code
    /// point at a time, so longer emoji sequences in the file are never matched).
    let emojiDescriptions: [Unicode.Scalar: [Unicode.Scalar]]
    /// The number of distinct tokens in the valence lexicon.
    public var tokenCount: Int { valences.count }
    /// The number of emoji that can be replaced (those of one code point).
    public var emojiCount: Int { emojiDescriptions.count }

    /// Loads `vader_lexicon.txt` and `emoji_utf8_lexicon.txt` from `directory`.
    public init(directory: URL) throws {
        try self.init(valenceFile: directory.appendingPathComponent(Self.valenceFileName),
                      emojiFile: directory.appendingPathComponent(Self.emojiFileName))
    }

    /// Loads the two lexicons from their files.
    public init(valenceFile: URL, emojiFile: URL) throws {
        let valenceText = try Self.read(valenceFile), emojiText = try Self.read(emojiFile)
        try self.init(valenceText: valenceText, valencePath: valenceFile.path, emojiText: emojiText, emojiPath: emojiFile.path)
    }

    /// Parses the two lexicons' texts; the paths name them in errors.
    init(valenceText: String, valencePath: String, emojiText: String, emojiPath: String) throws {
        var valences: [CodePoints: Double] = [:]
        for (number, line) in Self.lines(valenceText) where !line.isEmpty {
            let (token, value) = try Self.fields(line, path: valencePath, number: number)
            guard Self.isDecimal(value), let valence = Double(value.description), valence.isFinite else {
                throw VaderLexiconError.malformedLine(path: valencePath, line: number,
                                                      reason: "valence \"\(value)\" is not a finite decimal number")
            }
            valences[token] = valence
        }
        var emoji: [Unicode.Scalar: [Unicode.Scalar]] = [:]
        for (number, line) in Self.lines(emojiText) {
            let (token, description) = try Self.fields(line, path: emojiPath, number: number)
            if token.scalars.count == 1 { emoji[token.scalars[0]] = description.scalars }
        }
        self.valences = valences
        self.emojiDescriptions = emoji
    }

    /// The mean valence of `token`, if the lexicon lists it.
    func valence(of token: CodePoints) -> Double? { valences[token] }

    /// Whether the lexicon lists `token`.
    func contains(_ token: CodePoints) -> Bool { valences[token] != nil }

    private static func read(_ url: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else { throw VaderLexiconError.missing(path: url.path) }
        let bytes: Data
        do {
            bytes = try SideFile.read(url.path, limit: SideFile.Limit.lexicon, what: "a VADER lexicon")
        } catch {
            throw VaderLexiconError.unreadable(path: url.path, reason: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw VaderLexiconError.notUTF8(path: url.path) }
        return text
    }

    /// The text's lines with their 1-based numbers, trailing line feeds dropped (Python's
    /// `text.rstrip('\n').split('\n')`).
    private static func lines(_ text: String) -> [(Int, [Unicode.Scalar])] {
        var scalars = Array(text.unicodeScalars)
        while scalars.last == "\n" { scalars.removeLast() }
        return scalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { ($0 + 1, Array($1)) }
    }

    /// The first two tab-separated fields of a whitespace-stripped line (Python's `line.strip().split('\t')[0:2]`), both non-empty.
    private static func fields(_ line: [Unicode.Scalar], path: String, number: Int) throws -> (CodePoints, CodePoints) {
        let parts = PythonText.strip(line).split(separator: "\t", omittingEmptySubsequences: false)
        guard parts.count >= 2 else {
            throw VaderLexiconError.malformedLine(path: path, line: number, reason: "expected a token, a tab and a value")
        }
        // the token is never empty: stripping removed any leading tab
        guard !parts[1].isEmpty else { throw VaderLexiconError.malformedLine(path: path, line: number, reason: "empty value") }
        return (CodePoints(parts[0]), CodePoints(parts[1]))
    }

    /// Sign, digits, an optional fraction and an optional exponent; nothing else (no hex, `inf` or `nan`).
    private static func isDecimal(_ value: CodePoints) -> Bool {
        value.scalars.allSatisfy { ("0"..."9").contains($0) || "+-.eE".unicodeScalars.contains($0) }
            && value.scalars.contains { ("0"..."9").contains($0) }
    }
}
