/// Settings of a BPE model beyond its vocabulary and merges (tokenizer.json `model`), as read and written.
struct BPEModelOptions: Sendable {
    /// `ignore_merges`: a word that is itself in the vocabulary is taken whole.
    var ignoresMerges = false
    /// `unk_token`: stands for a scalar the vocabulary lacks (otherwise it is dropped).
    var unknownToken: String?
    /// `fuse_unk`: consecutive unknown scalars make one unknown token.
    var fusesUnknown = false
    /// `byte_fallback`: an unknown scalar is spelled with `<0xXX>` tokens when they exist.
    var usesByteFallback = false
}
