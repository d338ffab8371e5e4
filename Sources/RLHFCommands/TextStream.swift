import ModelIO

/// Prints one row's continuation to standard output token by token, as `generate` samples it: each time,
/// the part of the decoded text not yet printed (held back while it ends in an incomplete character).
final class TextStream {
    private let tokenizer: any Tokenizer
    private let prompt: [Int]
    private var tokens: [Int] = []
    private var printed = ""

    /// A stream for the continuation of `prompt`.
    init(tokenizer: any Tokenizer, prompt: [Int]) {
        self.tokenizer = tokenizer
        self.prompt = prompt
    }

    /// Adds one sampled token and prints the text it completes.
    func append(_ token: Int) throws {
        tokens.append(token)
        let text = tokenizer.continuation(of: tokens, after: prompt)
        guard !text.hasSuffix("\u{FFFD}"), text.hasPrefix(printed) else { return }
        try StandardOutput.write(String(text.dropFirst(printed.count)))
        printed = text
    }

    /// Prints what is left of `whole` (the final text) and ends the line.
    func finish(whole: String) throws {
        try StandardOutput.line(whole.hasPrefix(printed) ? String(whole.dropFirst(printed.count)) : "")
    }
}
