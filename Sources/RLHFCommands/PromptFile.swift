import Foundation

/// The prompts of `--prompt-file` (`rlhf pairs --prompts`): one per line, or JSON Lines whose objects carry
/// a "prompt" string.
enum PromptFile {
    /// The prompts in `text` (read from `path`, named by `flag` in errors); empty lines are skipped. A file
    /// whose first non-empty line starts with `{` is read as JSON Lines.
    static func prompts(in text: String, path: String, flag: String = "--prompt-file") throws -> [String] {
        // lines as UTF-8 bytes, a trailing \r dropped: a megabytes-long prompt costs one pass, not Foundation's
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0[...] }
        func isBlank(_ line: ArraySlice<UInt8>) -> Bool { line.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
        let isJSONLines = lines.first { !isBlank($0) }?.first { $0 != 0x20 && $0 != 0x09 } == UInt8(ascii: "{")
        var prompts: [String] = []
        for (index, bytes) in lines.enumerated() where !isBlank(bytes) {
            let line = String(decoding: bytes, as: UTF8.self)
            guard isJSONLines else { prompts.append(line); continue }
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let prompt = object?["prompt"] as? String else {
                throw CommandInputError.malformed(flag: flag, path: path, line: index + 1,
                                                  reason: "expected a JSON object with a \"prompt\" string")
            }
            prompts.append(prompt)
        }
        guard !prompts.isEmpty else {
            throw CommandInputError.malformed(flag: flag, path: path, line: 1, reason: "holds no prompt")
        }
        return prompts
    }
}
