import Foundation
import Storage

extension ByteLevelBPETokenizer {
    /// Reads GPT-2's `vocab.json` (token → id) and `merges.txt` (one "a b" merge per line, best first,
    /// after a `#version` line). `<|endoftext|>`, when in the vocabulary, is a special token matched
    /// whole in text and is BOS, EOS and unknown token, as Hugging Face's GPT-2 tokenizer has it.
    public init(vocabJSONAt vocabURL: URL, mergesAt mergesURL: URL) throws {
        let json = try TokenizerJSONValue.read(vocabURL, limit: SideFile.Limit.vocabulary)
        guard let members = json.members else {
            throw TokenizerError.malformed(file: vocabURL.path, reason: "expected a JSON object of token to id; this is not a GPT-2 vocab.json")
        }
        let vocabulary: [(String, Int)] = try members.map { member in
            guard let id = member.value.integer else {
                throw TokenizerError.malformed(file: vocabURL.path, reason: "entry \(member.key.debugDescription) is not a token to integer id; this is not a GPT-2 vocab.json")
            }
            return (member.key, id)
        }
        let merges = try Self.readMergesTXT(mergesURL)
        let endOfText = "<|endoftext|>"
        let endOfTextID = vocabulary.last(where: { $0.0.utf8.elementsEqual(endOfText.utf8) })?.1
        let bpeVocabulary = try BPEVocabulary(
            vocabulary: vocabulary, merges: merges, addedTokens: endOfTextID.map { [AddedToken(content: endOfText, id: $0)] } ?? [],
            unknownToken: nil, source: "\(vocabURL.path) + \(mergesURL.lastPathComponent)")
        self.init(
            vocabulary: bpeVocabulary, preTokenizer: .gpt2, normalizer: .none, decoder: .byteLevel, options: BPEModelOptions(),
            specialTokens: .none, bosTokenID: endOfTextID, eosTokenID: endOfTextID, padTokenID: nil, unknownTokenID: endOfTextID)
    }

    /// The merges of a `merges.txt`: `#version` lines skipped, every other line exactly "a b".
    static func readMergesTXT(_ url: URL) throws -> [(String, String)] {
        let data: Data
        do { data = try SideFile.read(url.path, limit: SideFile.Limit.vocabulary, what: "a merges.txt") } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.reason)
        }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var merges: [(String, String)] = []
        merges.reserveCapacity(lines.count)
        for (number, rawLine) in lines.enumerated() {
            let line = rawLine.utf8.last == 0x0D ? rawLine.dropLast() : rawLine
            if line.hasPrefix("#version") { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.malformed(file: url.path, reason: "line \(number + 1) is not a merge \"a b\"")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }
}
