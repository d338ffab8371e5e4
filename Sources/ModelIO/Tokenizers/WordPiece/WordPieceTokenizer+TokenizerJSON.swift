import Foundation
import Storage

extension WordPieceTokenizer {
    /// Reads a Hugging Face tokenizer.json with a WordPiece model (BERT); the pad name comes from
    /// tokenizer_config.json in the same folder, or from the file's padding settings.
    public init(tokenizerJSONAt url: URL) throws {
        try self.init(tokenizerJSON: TokenizerJSONFile(contentsOf: url))
    }

    /// Builds the tokenizer a read tokenizer.json describes.
    init(tokenizerJSON source: TokenizerJSONFile) throws {
        let json = source.json, file = source.path
        let model = try source.model(ofType: "WordPiece")
        let preTokenizerType = json["pre_tokenizer"]?["type"]?.string ?? "none"
        guard preTokenizerType == "BertPreTokenizer" else {
            throw TokenizerError.unsupported(file: file, what: "pre-tokenizer \(preTokenizerType) in a WordPiece tokenizer")
        }
        let prefix = model["continuing_subword_prefix"]?.string ?? "##"
        let decoder: Decoder
        if let value = json["decoder"], !value.isNull {
            let decoderType = value["type"]?.string ?? "?"
            guard decoderType == "WordPiece" else {
                throw TokenizerError.unsupported(file: file, what: "decoder \(decoderType) in a WordPiece tokenizer")
            }
            decoder = .wordPiece(prefix: value["prefix"]?.string ?? "##", cleanup: value["cleanup"]?.bool ?? true)
        } else {
            decoder = .none
        }
        let vocabulary = try HuggingFaceTokenizerJSON.vocabulary(model, file: file)
        let addedTokens = try HuggingFaceTokenizerJSON.addedTokens(json, file: file)
        var padID = json["padding"]?["pad_id"]?.integer
        if let name = source.config.padToken {
            padID = addedTokens.first(where: { $0.content == name })?.id ?? vocabulary.first(where: { $0.0 == name })?.1 ?? padID
        }
        try self.init(
            vocabulary: vocabulary, unknownToken: model["unk_token"]?.string ?? "[UNK]", continuingSubwordPrefix: prefix,
            maxInputCharactersPerWord: model["max_input_chars_per_word"]?.integer ?? 100,
            normalizer: try HuggingFaceTokenizerJSON.normalizer(json, file: file), addedTokens: addedTokens,
            decoder: decoder, specialTokens: try HuggingFaceTokenizerJSON.specialTokens(json, file: file),
            bosTokenID: nil, eosTokenID: nil, padTokenID: padID, source: file)
    }

    /// Reads a BERT `vocab.txt` (one token per line, id = line number) with BERT's usual setup:
    /// BertNormalizer (lower-casing as given), [UNK], and [CLS] … [SEP] around each text.
    public init(vocabTXTAt url: URL, lowercases: Bool = true) throws {
        let data: Data
        do { data = try SideFile.read(url.path, limit: SideFile.Limit.vocabulary, what: "a vocab.txt") } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.reason)
        }
        // Hugging Face reads each line with `trim_end()`.
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var scalars = line.unicodeScalars
            while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
            return String(scalars)
        }
        if lines.last == "" { lines.removeLast() }
        let vocabulary = lines.enumerated().map { ($0.element, $0.offset) }
        func id(_ name: String) -> Int? { lines.firstIndex(of: name) }
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { name in
            id(name).map { AddedToken(content: name, id: $0) }
        }
        guard let cls = id("[CLS]"), let sep = id("[SEP]") else {
            throw TokenizerError.malformed(file: url.path, reason: "no [CLS] and [SEP] lines; not a BERT vocab.txt")
        }
        try self.init(
            vocabulary: vocabulary, unknownToken: "[UNK]", continuingSubwordPrefix: "##", maxInputCharactersPerWord: 100,
            normalizer: .bert(BertNormalizer(lowercases: lowercases)), addedTokens: specials,
            decoder: .wordPiece(prefix: "##", cleanup: true), specialTokens: TokenizerSpecialTokens(prefix: [cls], suffix: [sep]),
            bosTokenID: nil, eosTokenID: nil, padTokenID: id("[PAD]"), source: url.path)
    }
}
