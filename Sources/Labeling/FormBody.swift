import Foundation

/// An `application/x-www-form-urlencoded` body as the labeling page posts it: name → value, `+` as a space,
/// percent escapes decoded; a name given twice keeps its first value.
package enum FormBody {
    package static func fields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for part in body.split(separator: "&") {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let name = pieces.first.flatMap(decode), let value = decode(pieces.count > 1 ? pieces[1] : "") else { continue }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }
}
