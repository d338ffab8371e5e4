import Foundation
import Storage

/// The special token names a Hugging Face folder gives beside tokenizer.json (`tokenizer_config.json`,
/// then `special_tokens_map.json` for what the first leaves out). tokenizer.json has no BOS/EOS of its own.
struct HuggingFaceTokenizerConfig {
    var bosToken: String?
    var eosToken: String?
    var padToken: String?
    var unknownToken: String?
    /// `do_lower_case` (for a BERT folder with only vocab.txt).
    var lowercases: Bool?
    /// `split_special_tokens`: special tokens written in text are tokenized as plain text.
    var splitsSpecialTokens: Bool?

    init() {}

    /// Reads the config files in `folder`, where present.
    init(folder: URL) throws {
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let json = try TokenizerJSONValue.read(url, limit: SideFile.Limit.tokenizerConfig)
            guard json.members != nil else {
                throw TokenizerError.malformed(file: url.path, reason: "expected a JSON object")
            }
            bosToken = bosToken ?? Self.tokenName(json["bos_token"])
            eosToken = eosToken ?? Self.tokenName(json["eos_token"])
            padToken = padToken ?? Self.tokenName(json["pad_token"])
            unknownToken = unknownToken ?? Self.tokenName(json["unk_token"])
            lowercases = lowercases ?? json["do_lower_case"]?.bool
            splitsSpecialTokens = splitsSpecialTokens ?? json["split_special_tokens"]?.bool
        }
    }

    /// Whether special tokens written in text are matched whole (no `split_special_tokens`).
    var matchesSpecialTokens: Bool { !(splitsSpecialTokens ?? false) }

    /// The ids `vocabulary` gives the named BOS, EOS, pad and unknown tokens; nil where unnamed or not in it.
    func specialTokenIDs(in vocabulary: TokenizerVocabulary) -> (bos: Int?, eos: Int?, pad: Int?, unknown: Int?) {
        func id(_ name: String?) -> Int? { name.flatMap(vocabulary.id(for:)) }
        return (id(bosToken), id(eosToken), id(padToken), id(unknownToken))
    }

    /// A token given as a string or as `{"content": ...}`.
    private static func tokenName(_ value: TokenizerJSONValue?) -> String? {
        value?.string ?? value?["content"]?.string
    }
}
