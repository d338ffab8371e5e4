import ModelIO

extension Tokenizer {
    /// The text `tokens` add after `prompt`, as it reads in the decoded whole: decoding the continuation
    /// alone would lose what joins it to the prompt (SentencePiece's leading space after BOS, a character
    /// whose bytes straddle the two).
    public func continuation(of tokens: [Int], after prompt: [Int]) -> String {
        let prefix = decode(prompt, skipSpecialTokens: true)
        let whole = decode(prompt + tokens, skipSpecialTokens: true)
        return whole.hasPrefix(prefix) ? String(whole.dropFirst(prefix.count)) : decode(tokens, skipSpecialTokens: true)
    }
}
