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
    var text: String?

    @Option(help: ArgumentHelp("Read the text to encode from a file (- for standard input) instead of --text.", valueName: "path"))
    var textFile: String?

    @Option(help: "Vocabulary size, for a llama2.c tokenizer.bin (default: 32000, or 512 for tok512.bin).")
    var vocabSize: Int?

    @Flag(help: "Print one JSON object {\"ids\": [...]} on one line.")
    var json = false

    func validate() throws {
        guard (text == nil) != (textFile == nil) else { throw ValidationError("give exactly one of --text and --text-file") }
        if let vocabSize, !(4...TokenizerFiles.maximumVocabularySize).contains(vocabSize) {
            throw ValidationError("--vocab-size must be between 4 and \(TokenizerFiles.maximumVocabularySize), got \(vocabSize)")
        }
    }

    func run() throws {
        let input = try textFile.map { try InputFile.read($0, flag: "--text-file") } ?? text ?? ""
        if vocabSize != nil && !tokenizer.hasSuffix(".bin") {
            CommandWarning.emit("--vocab-size is only for a llama2.c tokenizer.bin; ignored for \(tokenizer)")
        }
        let tok = try TokenizerFiles.load(path: tokenizer, llama2cVocabSize: vocabSize)
        let ids = tok.encode(input, addSpecialTokens: true)
        if json {
            try StandardOutput.line(try JSONOutput.line(["ids": ids]))
        } else {
            try StandardOutput.line(ids.map(String.init).joined(separator: " "))
        }
    }
}
