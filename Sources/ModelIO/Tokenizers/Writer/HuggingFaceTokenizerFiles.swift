import Foundation
import Storage

/// The files of a Hugging Face tokenizer folder, as bytes ready to write.
public struct HuggingFaceTokenizerFiles: Sendable {
    /// `tokenizer.json`: the whole pipeline.
    public var tokenizerJSON: Data
    /// `tokenizer_config.json`: special token names, chat template, tokenizer class.
    public var tokenizerConfigJSON: Data
    /// `special_tokens_map.json`: the special token names again, for readers that look only there.
    public var specialTokensMapJSON: Data

    /// The file names, in the order `write(to:)` writes them.
    public static let fileNames = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]

    /// Writes the files into `folder`, which must exist.
    public func write(to folder: URL) throws {
        for (name, data) in zip(Self.fileNames, [tokenizerJSON, tokenizerConfigJSON, specialTokensMapJSON]) {
            let url = folder.appendingPathComponent(name)
            do { try StagedWrite.file(url, contents: data) } catch let error as StagedWriteError {
                throw TokenizerWriteError.cannotWrite(file: url.path, reason: error.reason)
            }
        }
    }
}
