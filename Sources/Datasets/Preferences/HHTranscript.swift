/// Anthropic HH-RLHF transcripts ("\n\nHuman: ...\n\nAssistant: ...") split into a prompt and the final
/// Assistant turn, as TRL's HH processing does: the prompt ends with "\n\nAssistant:" and the response
/// keeps its leading space.
enum HHTranscript {
    /// The marker that opens an Assistant turn.
    static let assistant = "\n\nAssistant:"

    /// The length in UTF-8 bytes of everything up to and including the last Assistant marker of `text`,
    /// or nil when it has none.
    static func promptLength(of text: String) -> Int? {
        let bytes = Array(text.utf8), marker = Array(assistant.utf8)
        guard bytes.count >= marker.count else { return nil }
        for start in stride(from: bytes.count - marker.count, through: 0, by: -1)
        where bytes[start..<(start + marker.count)].elementsEqual(marker) {
            return start + marker.count
        }
        return nil
    }

    /// The pair of one HH line. The prompt is the text up to the last Assistant marker of one of the two
    /// transcripts that the other shares (the shorter one: a response may itself hold an "\n\nAssistant:",
    /// as 5 of the 2,312 harmless-base test lines do). Throws the reason when a transcript has no
    /// Assistant turn or the two do not share the conversation before it.
    static func pair(chosen: String, rejected: String) throws(HHTranscriptError) -> PreferencePair {
        guard let chosenLength = promptLength(of: chosen) else { throw .noAssistantTurn("chosen") }
        guard let rejectedLength = promptLength(of: rejected) else { throw .noAssistantTurn("rejected") }
        let n = min(chosenLength, rejectedLength)
        guard chosen.utf8.prefix(n).elementsEqual(rejected.utf8.prefix(n)) else { throw .differentConversations }
        // the cut follows the ASCII ":" of the marker, so each side is whole UTF-8
        return PreferencePair(prompt: String(decoding: chosen.utf8.prefix(n), as: UTF8.self),
                              chosen: String(decoding: chosen.utf8.dropFirst(n), as: UTF8.self),
                              rejected: String(decoding: rejected.utf8.dropFirst(n), as: UTF8.self))
    }
}

/// Why an HH line is no preference pair.
enum HHTranscriptError: Error, CustomStringConvertible {
    /// The named field has no "\n\nAssistant:" turn.
    case noAssistantTurn(String)
    /// Chosen and rejected differ before the last Assistant turn.
    case differentConversations

    var description: String {
        switch self {
        case .noAssistantTurn(let field): "field \"\(field)\" has no \"\\n\\nAssistant:\" turn"
        case .differentConversations: "\"chosen\" and \"rejected\" differ before their last \"\\n\\nAssistant:\" turn"
        }
    }
}
