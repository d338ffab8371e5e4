import Foundation

/// The prompts of the harmlessness task (`../shared/seeds/002_…`): each HH-RLHF pair's first Human turn
/// in the HH chat format, `"\n\nHuman: <turn>\n\nAssistant:"`, from the pairs' shared prompts.
public enum HHPrompts {
    /// The first Human turn of each pair's prompt, as a prompt the policy answers; pairs whose prompt does
    /// not start with a Human turn are left out.
    public static func firstTurns(of pairs: [PreferencePair]) -> [String] {
        pairs.compactMap { firstTurn(of: $0.prompt) }
    }

    /// `"\n\nHuman: X\n\nAssistant:"` for the first turn X of `transcript`, or nil.
    public static func firstTurn(of transcript: String) -> String? {
        firstHumanText(of: transcript).map { human + $0 + assistant }
    }

    /// The text X of the first Human turn of each pair's prompt (for a chat template to render).
    public static func firstHumanTexts(of pairs: [PreferencePair]) -> [String] {
        pairs.compactMap { firstHumanText(of: $0.prompt) }
    }

    private static let human = "\n\nHuman: ", assistant = "\n\nAssistant:"

    /// The first turn X of `transcript`, which starts `"\n\nHuman: X\n\nAssistant:"`, or nil.
    static func firstHumanText(of transcript: String) -> String? {
        guard transcript.hasPrefix(human), let end = transcript.range(of: assistant) else { return nil }
        let turn = transcript[transcript.index(transcript.startIndex, offsetBy: human.count)..<end.lowerBound]
        guard !turn.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return String(turn)
    }
}
