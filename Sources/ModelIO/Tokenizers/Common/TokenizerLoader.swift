import Foundation

/// Loads whichever tokenizer a path holds.
public enum TokenizerLoader {
    /// The tokenizer at `url`:
    /// - a folder: its `tokenizer.json`, else `vocab.json` + `merges.txt` (GPT-2), else `vocab.txt` (BERT,
    ///   lower-casing as `tokenizer_config.json` says, default on);
    /// - `tokenizer.json` (BPE or WordPiece model), `vocab.json` (with `merges.txt` beside it), `vocab.txt`;
    /// - a llama2.c `.bin`, which needs `llama2cVocabSize` (the checkpoint's vocabulary size).
    public static func load(from url: URL, llama2cVocabSize: Int? = nil) throws -> any Tokenizer {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw TokenizerError.unreadable(file: url.path, reason: "no such file or folder")
        }
        if isFolder.boolValue { return try loadFolder(url) }
        let name = url.lastPathComponent
        switch url.pathExtension.lowercased() {
        case "json" where name == "vocab.json":
            return try ByteLevelBPETokenizer(vocabJSONAt: url, mergesAt: url.deletingLastPathComponent().appendingPathComponent("merges.txt"))
        case "json":
            return try loadTokenizerJSON(url)
        case "txt":
            let config = try HuggingFaceTokenizerConfig(folder: url.deletingLastPathComponent())
            return try WordPieceTokenizer(vocabTXTAt: url, lowercases: config.lowercases ?? true)
        case "bin":
            guard let vocabSize = llama2cVocabSize else {
                throw TokenizerError.malformed(file: url.path, reason: "a llama2.c tokenizer.bin needs the vocabulary size of its checkpoint")
            }
            return try Llama2cTokenizer(contentsOf: url, vocabSize: vocabSize)
        default:
            throw TokenizerError.unsupported(file: url.path, what: "a tokenizer file named \(name.debugDescription)")
        }
    }

    /// A Hugging Face tokenizer.json: BPE (byte-level, or SentencePiece-style when no `ByteLevel`
    /// pre-tokenizer) or WordPiece, by its model type.
    public static func loadTokenizerJSON(_ url: URL) throws -> any Tokenizer {
        let file = try TokenizerJSONFile(contentsOf: url)
        switch try HuggingFaceTokenizerJSON.modelType(file.json, file: file.path) {
        case "BPE" where SentencePieceBPETokenizer.describes(file.json):
            return try SentencePieceBPETokenizer(tokenizerJSON: file)
        case "BPE": return try ByteLevelBPETokenizer(tokenizerJSON: file)
        case "WordPiece": return try WordPieceTokenizer(tokenizerJSON: file)
        case let type: throw TokenizerError.unsupported(file: url.path, what: "model type \(type)")
        }
    }

    private static func loadFolder(_ folder: URL) throws -> any Tokenizer {
        let files = FileManager.default
        func file(_ name: String) -> URL? {
            let url = folder.appendingPathComponent(name)
            return files.fileExists(atPath: url.path) ? url : nil
        }
        if let json = file("tokenizer.json") { return try loadTokenizerJSON(json) }
        if let vocab = file("vocab.json"), let merges = file("merges.txt") {
            return try ByteLevelBPETokenizer(vocabJSONAt: vocab, mergesAt: merges)
        }
        if let vocab = file("vocab.txt") {
            let config = try HuggingFaceTokenizerConfig(folder: folder)
            return try WordPieceTokenizer(vocabTXTAt: vocab, lowercases: config.lowercases ?? true)
        }
        throw TokenizerError.unreadable(file: folder.path, reason: "no tokenizer.json, vocab.json + merges.txt or vocab.txt in the folder")
    }
}
