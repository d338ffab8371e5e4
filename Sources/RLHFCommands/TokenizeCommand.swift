import ArgumentParser
import Foundation
import ModelIO

/// `rlhf tokenize`: text to token ids, as the tokenizer's own configuration encodes it.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text (with the special tokens the tokenizer adds by default).")

    @Option(help: "Tokenizer: tokenizer.json, a folder holding one (or vocab.json + merges.txt, vocab.txt), or a .gguf file.")
    var tokenizer: String

    @Option(help: "The text to encode.")
    var text: String

    @Option(help: "Vocabulary size, for a llama2.c tokenizer.bin (default: 32000, or 512 for tok512.bin).")
    var vocabSize: Int?

    @Flag(help: "Print one JSON object {\"ids\": [...]}.")
    var json = false

    func run() throws {
        let tok = try TokenizerFiles.load(path: tokenizer, llama2cVocabSize: vocabSize)
        let ids = tok.encode(text, addSpecialTokens: true)
        if json {
            print(try JSONOutput.line(["ids": ids]))
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}
