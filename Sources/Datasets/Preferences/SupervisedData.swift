import ModelIO
import Storage

/// Reads supervised fine-tuning examples from JSONL or JSONL.gz. Each line is either
/// `{"prompt": ..., "response": ...}` or `{"messages": [{"role": ..., "content": ...}, ...]}`; in the
/// second the last assistant message is the response and the messages before it are the prompt, in
/// HH's transcript form ("\n\nHuman: ...\n\nAssistant: ..." ending with "\n\nAssistant:"), so the
/// response gets HH's leading space. A `messages` example also keeps its turns (`messages`), for a
/// chat template to render.
public enum SupervisedData {
    /// Every example of `path` (streaming JSONL or JSONL.gz), in line order, and the number of malformed
    /// lines skipped. A malformed line (not JSON, a field missing or of the wrong type, messages with no
    /// assistant message, an unknown role, a message after the last assistant message) is a
    /// `DataFileError` naming file and line, or with `skipBadLines` it is skipped and counted.
    public static func read(path: String, skipBadLines: Bool = false) throws -> (examples: [SupervisedExample], skipped: Int) {
        let (examples, skipped) = try JSONLines.records(path: path, skipBadLines: skipBadLines) { lines, row -> SupervisedExample? in
            if row["messages"] != nil { return try example(messages: row["messages"], in: lines) }
            return SupervisedExample(prompt: try lines.string(row, "prompt"), response: try lines.string(row, "response"))
        }
        return (examples, skipped)
    }

    /// The example of a `messages` array: system messages stand as they are before the turns, user
    /// messages become "\n\nHuman: ..." and assistant messages "\n\nAssistant: ...".
    static func example(messages value: Any?, in lines: JSONLines) throws -> SupervisedExample {
        guard let messages = value as? [Any] else { throw lines.error("field \"messages\" is not an array") }
        var turns: [(role: String, content: String)] = []
        for (i, message) in messages.enumerated() {
            guard let message = message as? [String: Any] else { throw lines.error("field \"messages[\(i)]\" is not an object") }
            guard let role = message["role"] as? String else { throw lines.error("field \"messages[\(i)].role\" is missing or not a string") }
            guard let content = message["content"] as? String else {
                throw lines.error("field \"messages[\(i)].content\" is missing or not a string")
            }
            guard ["system", "user", "assistant"].contains(role) else {
                throw lines.error("field \"messages[\(i)].role\" must be \"system\", \"user\" or \"assistant\", not \"\(role)\"")
            }
            turns.append((role, content))
        }
        guard let last = turns.lastIndex(where: { $0.role == "assistant" }) else {
            throw lines.error("field \"messages\" has no assistant message")
        }
        guard last == turns.count - 1 else { throw lines.error("field \"messages\" goes on after its last assistant message") }
        let prompt = turns[..<last].map { turn in
            switch turn.role {
            case "user": "\n\nHuman: \(turn.content)"
            case "assistant": "\n\nAssistant: \(turn.content)"
            default: turn.content
            }
        }.joined()
        return SupervisedExample(prompt: prompt + "\n\nAssistant:", response: " " + turns[last].content,
                                 messages: turns.map { ChatMessage(role: ChatRole(rawValue: $0.role), content: $0.content) })
    }
}
