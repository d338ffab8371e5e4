import Foundation

/// The prompts of `--prompt-file` (`rlhf pairs --prompts`): one per line, or JSON Lines whose objects carry
/// a "prompt" string.
enum PromptFile {
    /// The prompts in `text` (read from `path`, named by `flag` in errors); empty lines are skipped. A file
    /// whose first non-empty line starts with `{` is read as JSON Lines.
    static func prompts(in text: String, path: String, flag: String = "--prompt-file") throws -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        let isJSONLines = lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }?
            .trimmingCharacters(in: .whitespaces).hasPrefix("{") ?? false
        var prompts: [String] = []
        for (index, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
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
