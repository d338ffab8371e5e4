import Foundation
import ModelIO
import Models
import Storage

/// A reward model read from its folder, frozen, with what turns text into its tokens: the one loader of
/// reward models (`rlhf reward score|eval`, PPO's `reward.model`).
public struct RewardModel {
    /// The classifier (trunk and score head).
    public let classifier: SequenceClassifier
    /// The tokenizer, when one was needed: the folder's own or `--tokenizer`'s.
    public let tokenizer: (any Tokenizer)?
    /// The chat template the folder's tokenizer_config.json names, if any.
    public let chatTemplate: (any ChatTemplate)?

    /// Reads the sequence-classifier folder `path` and, with `needsTokenizer`, its tokenizer (`tokenizerPath`,
    /// else the folder's own). A missing path, a file, a causal LM folder and a classifier with other than
    /// one label are each an error naming the path.
    public static func load(path: String, tokenizerPath: String?, needsTokenizer: Bool) throws -> RewardModel {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelPathError.notFound(path) }
        guard access(path, R_OK) == 0 else { throw ModelPathError.permissionDenied(path) }
        guard ModelFormat.detect(path: path) == .huggingFace else { throw RewardModelError.notFolder(path) }
        let url = URL(fileURLWithPath: path)
        guard try HFSequenceClassifier.isSequenceClassifier(directory: url) else {
            throw RewardModelError.notSequenceClassifier(path, classes: architectures(inFolder: url))
        }
        let classifier = try HFSequenceClassifier.load(directory: url)
        classifier.freeze()
        let tokenizer = needsTokenizer ? try Self.tokenizer(forFolder: path, tokenizerPath: tokenizerPath,
                                                             vocabSize: classifier.config.vocabSize) : nil
        let template = ModelBundle.chatTemplateSource(inFolder: url).flatMap(ChatTemplateSelector.template(fromJinja:))
        return RewardModel(classifier: classifier, tokenizer: tokenizer, chatTemplate: template)
    }

    /// The tokenizer of a reward-model folder `path`: `tokenizerPath`'s, else the folder's own; one with
    /// more ids than the model's `vocabSize` embeds is an error.
    public static func tokenizer(forFolder path: String, tokenizerPath: String?, vocabSize: Int) throws -> any Tokenizer {
        let url = URL(fileURLWithPath: path)
        let tokenizer: any Tokenizer
        if let tokenizerPath {
            tokenizer = try TokenizerFiles.load(path: tokenizerPath)
        } else if ModelBundle.folderHasTokenizer(url) {
            tokenizer = try TokenizerLoader.load(from: url)
        } else {
            throw ModelBundleError.noTokenizer(model: path)
        }
        guard tokenizer.vocabSize <= vocabSize else {
            throw ModelBundleError.vocabularyMismatch(model: path, tokenizer: tokenizerPath ?? path, modelVocab: vocabSize,
                                                      tokenizerVocab: tokenizer.vocabSize)
        }
        return tokenizer
    }

    /// The class names `architectures` lists in the folder's config.json (empty when it lists none).
    private static func architectures(inFolder url: URL) -> [String] {
        guard let data = try? SideFile.read(url.appendingPathComponent("config.json").path, limit: SideFile.Limit.modelConfig,
                                            what: "a config.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return (object["architectures"] as? [Any])?.compactMap { $0 as? String } ?? []
    }
}
