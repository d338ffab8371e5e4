import Foundation
import Models

/// Opens a tokenizer from any path a user may give: tokenizer files and folders (`TokenizerLoader`),
/// or a GGUF model, whose metadata carries its tokenizer.
public enum TokenizerFiles {
    /// The largest vocabulary a tokenizer may declare (the models' own limit).
    public static let maximumVocabularySize = TransformerConfig.maximumDimension

    /// The tokenizer at `path`. A llama2.c `.bin` needs its vocabulary size: `llama2cVocabSize`, else the
    /// number in its name (`tok512.bin` → 512), else 32000 (llama2.c's default).
    public static func load(path: String, llama2cVocabSize: Int? = nil) throws -> any Tokenizer {
        if ModelFormat.detect(path: path) == .gguf {
            let file = try GGUFFile(path: path)
            return try ByteLevelBPETokenizer(gguf: GGUFTokenizerMetadata(file: file), source: path)
        }
        let url = URL(fileURLWithPath: path)
        var vocab = llama2cVocabSize
        if vocab == nil, url.pathExtension == "bin" {
            let digits = url.deletingPathExtension().lastPathComponent.filter(\.isNumber)
            vocab = Int(digits).flatMap { (4...maximumVocabularySize).contains($0) ? $0 : nil } ?? 32000
        }
        return try TokenizerLoader.load(from: url, llama2cVocabSize: vocab)
    }
}
