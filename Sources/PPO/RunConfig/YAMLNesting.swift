/// A bound on how deeply YAML text nests, found before it is parsed, so text nested thousands deep is refused
/// instead of recursing the parser off its stack. Without parsing, it counts what can only add depth:
/// block indentation levels (a mapping and a sequence may share one, so each counts twice), compact
/// `- `/`? ` indicators, and open `[`/`{` outside quoted scalars and comments; lines of a `|` or `>`
/// block scalar are text. Brackets inside plain scalars are counted too, so the bound is never below the
/// real depth.
enum YAMLNesting {
    /// The deepest nesting a run config may bound (real configs nest 2 or 3 deep).
    static let maximumDepth = 64

    /// Throws when the bound on `text`'s nesting exceeds `maximumDepth`; `file` names it in the error.
    static func check(_ text: String, file: String) throws(RunConfigError) {
        let (depth, line) = bound(text, stoppingAbove: maximumDepth)
        if depth > maximumDepth { throw .malformed(file: file, line: line, reason: "nested more than \(maximumDepth) deep") }
    }

    /// The bound on `text`'s nesting and the line where it is reached; the scan stops at the first line
    /// past `limit`.
    static func bound(_ text: String, stoppingAbove limit: Int = .max) -> (depth: Int, line: Int) {
        var deepest = (depth: 0, line: 0)
        var indents: [Int] = []
        var flow = 0
        var quote: UInt8? = nil
        var blockScalarParent: Int? = nil
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") }.count
            var i = indent
            if quote == nil {
                if i == bytes.count || bytes[i] == UInt8(ascii: "#") || bytes[i] == UInt8(ascii: "\r") { continue }
                if let parent = blockScalarParent {
                    if indent > parent { continue }
                    blockScalarParent = nil
                }
            }
            var dashes = 0
            if quote == nil && flow == 0 {
                while let top = indents.last, top > indent { indents.removeLast() }
                if indents.last != indent { indents.append(indent) }
                while i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "?"),
                      i + 1 == bytes.count || bytes[i + 1] == UInt8(ascii: " ") {
                    dashes += 1
                    i += 2
                    while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
                }
            }
            var lastSignificant: UInt8 = 0
            while i < bytes.count {
                let byte = bytes[i]
                defer { i += 1 }
                if let open = quote {
                    if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") { i += 1; continue }
                    if byte == open {
                        if open == UInt8(ascii: "'"), i + 1 < bytes.count, bytes[i + 1] == open { i += 1; continue }
                        quote = nil
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = byte
                case UInt8(ascii: "#") where i == 0 || bytes[i - 1] == UInt8(ascii: " ") || bytes[i - 1] == UInt8(ascii: "\t"):
                    i = bytes.count
                    continue
                case UInt8(ascii: "["), UInt8(ascii: "{"): flow += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = max(0, flow - 1)
                default: break
                }
                if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\r") { lastSignificant = byte }
                if 2 * (indents.count + dashes) + flow > deepest.depth {
                    deepest = (2 * (indents.count + dashes) + flow, lineNumber)
                    if deepest.depth > limit { return deepest }
                }
            }
            if 2 * (indents.count + dashes) + flow > deepest.depth {
                deepest = (2 * (indents.count + dashes) + flow, lineNumber)
                if deepest.depth > limit { return deepest }
            }
            // a value introduced by `|` or `>` (with chomping or indentation indicators) is a block scalar
            if quote == nil && flow == 0, let bar = bytes.lastIndex(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: ">") }),
               bar > indent, bytes[bar - 1] == UInt8(ascii: " "),
               bytes[(bar + 1)...].allSatisfy({ "+-0123456789 \r".utf8.contains($0) }), lastSignificant != 0 {
                blockScalarParent = indent
            }
        }
        return deepest
    }
}
