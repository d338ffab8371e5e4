import Foundation
import ModelIO
import Models

/// The model `rlhf reward train` starts from: a saved sequence classifier (its head kept), or a backbone
/// (a causal LM, or a bare `BertModel` such as all-MiniLM-L6-v2) under a fresh seeded head, with the
/// tokenizer of the folder or of `--tokenizer`.
public enum RewardBackbone {
    /// Loads `path` with `pooling` (nil: the saved one, else the family's). A decoder read at its last
    /// token needs a pad id to find each right-padded row's end: without one in its config, the
    /// tokenizer's pad id, else its EOS, becomes the model's `pad_token_id`, as TRL sets it.
    public static func load(path: String, tokenizerPath: String?, pooling: RewardPooling?, seed: UInt64)
        throws -> (model: SequenceClassifier, tokenizer: any Tokenizer) {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelPathError.notFound(path) }
        guard ModelFormat.detect(path: path) == .huggingFace else { throw RewardModelError.notFolder(path) }
        let url = URL(fileURLWithPath: path)
        var model: SequenceClassifier
        if try HFSequenceClassifier.isSequenceClassifier(directory: url) {
            model = try HFSequenceClassifier.load(directory: url)
        } else if try HFSequenceClassifier.isBackbone(directory: url) {
            model = try HFSequenceClassifier.loadBackbone(directory: url, pooling: pooling, seed: seed)
        } else {
            throw RewardModelError.notSequenceClassifier(path, classes: [])
        }
        if let pooling, pooling == .cls, model.config.architecture != .bert {
            throw RewardModelError.poolingNeedsEncoder(path, architecture: model.config.architecture.rawValue)
        }
        let tokenizer = try RewardModel.tokenizer(forFolder: path, tokenizerPath: tokenizerPath, vocabSize: model.config.vocabSize)
        let wanted = pooling ?? model.pooling
        let padID = model.padTokenID ?? tokenizer.padTokenID ?? tokenizer.eosTokenID ?? model.config.eosTokenIDs.first
        if wanted != model.pooling || padID != model.padTokenID {
            model = SequenceClassifier(config: model.config, parameters: model.parameters, head: model.head, padTokenID: padID,
                                       pooling: wanted, backend: model.backend)
        }
        return (model, tokenizer)
    }

    /// Puts the tokenizer beside the saved reward model, so it reads text on its own: the Hugging Face
    /// tokenizer files of the model folder `source` (or of a `--tokenizer` folder) are copied; a
    /// `--tokenizer` file, or a folder without such files, is written by `TokenizerJSONWriter` instead.
    public static func writeTokenizer(_ tokenizer: any Tokenizer, from source: String, tokenizerPath: String?, to folder: URL,
                               maxPositions: Int) throws {
        let names = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt"]
        var isFolder: ObjCBool = false
        let folderSource = tokenizerPath.map { path in
            FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue ? path : nil
        } ?? source
        if let folderSource {
            let from = URL(fileURLWithPath: folderSource)
            let present = names.filter { FileManager.default.fileExists(atPath: from.appendingPathComponent($0).path) }
            if !present.isEmpty {
                for name in present {
                    try FileManager.default.copyItem(at: from.appendingPathComponent(name), to: folder.appendingPathComponent(name))
                }
                return
            }
        }
        try TokenizerJSONWriter.files(for: tokenizer, modelMaxLength: maxPositions, source: tokenizerPath ?? source).write(to: folder)
    }
}
