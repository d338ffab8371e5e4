extension Llama2cTokenizer {
    /// SentencePiece's word-boundary mark, which stands for a space in Hugging Face vocabularies.
    static let spaceMark = "\u{2581}"

    /// The vocabulary as a Hugging Face SentencePiece-style BPE spells it: ids 0, 1, 2 are `<unk>`, `<s>`,
    /// `</s>` (llama2.c's export wrote BOS and EOS as "\n<s>\n" and "\n</s>\n"), every space is `▁`.
    /// Throws where llama2.c's encoding could not be reproduced: ids 3-258 not the byte tokens
    /// `<0x00>`-`<0xFF>` (llama2.c falls back to id byte+3 whatever they are spelled), no " " token for
    /// the dummy prefix, a piece that is not UTF-8 or already holds `▁`, two pieces spelled alike.
    func sentencePieceSpellings(source: String) throws -> [String] {
        func refuse(_ reason: String) -> TokenizerWriteError { .noExactEquivalent(source: source, reason: reason) }
        guard vocabSize >= 259 else { throw refuse("\(vocabSize) tokens leave no room for the 256 byte tokens at ids 3-258") }
        var spellings = ["<unk>", "<s>", "</s>"]
        spellings.reserveCapacity(vocabSize)
        for id in 3..<vocabSize {
            let piece = pieces[id]
            if id < 259 {
                let byte = UInt8(id - 3)
                guard piece == Array(SentencePieceBPETokenizer.byteTokenName(byte).utf8) else {
                    throw refuse("token \(id) is \(String(decoding: piece, as: UTF8.self).debugDescription), not the byte token \(SentencePieceBPETokenizer.byteTokenName(byte))")
                }
                spellings.append(SentencePieceBPETokenizer.byteTokenName(byte))
                continue
            }
            guard let text = String(validating: piece, as: UTF8.self) else {
                throw refuse("token \(id) is not UTF-8 text")
            }
            guard !text.contains(Self.spaceMark) else { throw refuse("token \(id) holds U+2581 (▁), which a tokenizer.json reads as a space") }
            spellings.append(text.replacingOccurrences(of: " ", with: Self.spaceMark))
        }
        guard id(for: " ") != nil else { throw refuse("no \" \" token for llama2.c's dummy prefix") }
        var seen: [[UInt8]: Int] = [:]
        for (id, spelling) in spellings.enumerated() {
            if let other = seen.updateValue(id, forKey: Array(spelling.utf8)) {
                throw refuse("tokens \(other) and \(id) are both spelled \(spelling.debugDescription)")
            }
        }
        return spellings
    }

    /// BPE merges that make a Hugging Face BPE merge as llama2.c does: llama2.c merges the adjacent pair
    /// whose concatenation is the best-scoring token, so every split of a token into two tokens becomes a
    /// merge, ranked by the token's score (best first). Tokens at or below llama2.c's floor of -1e10 never
    /// merge. Two different tokens with merges and equal scores cannot be ranked as llama2.c would (it takes
    /// whichever comes first in the text), so they throw. Splits of one token are ranked by the length of
    /// their left part.
    func sentencePieceMerges(spellings: [String], source: String) throws -> [(String, String)] {
        var idOfSpelling: [[UInt8]: Int] = [:]
        for (id, spelling) in spellings.enumerated() { idOfSpelling[Array(spelling.utf8)] = id }
        var candidates: [(score: Float, id: Int, split: Int, left: String, right: String)] = []
        for id in 3..<spellings.count where scores[id] > -1e10 {
            let scalars = Array(spellings[id].unicodeScalars)
            for split in 1..<max(scalars.count, 1) {
                var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
                left.append(contentsOf: scalars[..<split])
                right.append(contentsOf: scalars[split...])
                let leftText = String(left), rightText = String(right)
                if idOfSpelling[Array(leftText.utf8)] != nil && idOfSpelling[Array(rightText.utf8)] != nil {
                    candidates.append((scores[id], id, split, leftText, rightText))
                }
            }
        }
        var tokenOfScore: [Float: Int] = [:]
        for candidate in candidates {
            if let other = tokenOfScore.updateValue(candidate.id, forKey: candidate.score), other != candidate.id {
                throw TokenizerWriteError.noExactEquivalent(
                    source: source, reason: "tokens \(min(other, candidate.id)) and \(max(other, candidate.id)) share the score \(candidate.score); llama2.c merges whichever comes first in the text")
            }
        }
        candidates.sort { ($0.score, $1.split) > ($1.score, $0.split) }
        return candidates.map { ($0.left, $0.right) }
    }
}
