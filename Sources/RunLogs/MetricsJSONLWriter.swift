import Foundation

/// Appends one JSON object per line to `metrics.jsonl`: the metrics of one iteration, keys sorted, numbers
/// written so that they read back exactly (non-finite values as `null`, which JSON has no number for).
package final class MetricsJSONLWriter {
    /// The file.
    package let url: URL
    private let handle: FileHandle

    /// Opens `url` for appending (creating it and its folder), so a resumed run continues the same file.
    package init(url: URL) throws {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) {
                guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                    throw MetricsWriteError(file: url.path, reason: "cannot create the file")
                }
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch let error as MetricsWriteError {
            throw error
        } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    deinit { try? handle.close() }

    /// The line `write` appends for `metrics` (without its newline).
    package static func line(_ metrics: [String: Double]) -> String {
        let fields = metrics.sorted { $0.key < $1.key }.map { key, value -> String in
            "\(jsonString(key)):\(value.isFinite ? "\(value)" : "null")"
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Appends one line and flushes it to disk.
    package func write(_ metrics: [String: Double]) throws {
        do {
            try handle.write(contentsOf: Data((Self.line(metrics) + "\n").utf8))
            try handle.synchronize()
        } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
