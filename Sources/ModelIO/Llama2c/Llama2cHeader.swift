import Models

/// The 7-int32 header of a legacy llama2.c checkpoint (`export.py` version 0 / `run.c`'s `Config`).
package struct Llama2cHeader: Sendable, Equatable {
    /// Model width C (`dim`).
    package var dim: Int
    /// Feed-forward width F (`hidden_dim`).
    package var hiddenDim: Int
    /// Number of layers L.
    package var layers: Int
    /// Query heads H.
    package var heads: Int
    /// Key/value heads KV.
    package var kvHeads: Int
    /// Vocabulary size V (the file stores −V when the classifier is not shared).
    package var vocabSize: Int
    /// Whether the classifier reuses the token embedding (a positive vocabulary size in the file).
    package var sharedClassifier: Bool
    /// Longest sequence (`seq_len`), which also sizes the stored RoPE tables.
    package var seqLen: Int

    /// Bytes of the header.
    package static let byteCount = 28

    /// Reads and checks the header at the start of `bytes`.
    package init(bytes: UnsafeRawBufferPointer, file: String) throws {
        guard bytes.count >= Self.byteCount else {
            throw Llama2cError.truncated(file: file, expectedBytes: Self.byteCount, actualBytes: bytes.count)
        }
        let field = { (i: Int) in Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        dim = field(0); hiddenDim = field(1); layers = field(2); heads = field(3); kvHeads = field(4)
        vocabSize = abs(field(5)); sharedClassifier = field(5) > 0; seqLen = field(6)
        for (name, value) in [("dim", dim), ("hidden_dim", hiddenDim), ("n_layers", layers), ("n_heads", heads),
                              ("n_kv_heads", kvHeads), ("vocab_size", vocabSize), ("seq_len", seqLen)] where value <= 0 {
            throw Llama2cError.invalidHeader(file: file, field: name, value: value, reason: "must be positive")
        }
        guard dim % heads == 0, (dim / heads) % 2 == 0 else {
            throw Llama2cError.invalidHeader(file: file, field: "n_heads", value: heads,
                                             reason: "dim \(dim) must split into heads of even size")
        }
        guard heads % kvHeads == 0 else {
            throw Llama2cError.invalidHeader(file: file, field: "n_kv_heads", value: kvHeads,
                                             reason: "must divide n_heads \(heads)")
        }
        // keep every size computation far from overflow (2^31 floats per tensor is already 8 GB)
        for (name, value) in [("dim", dim), ("hidden_dim", hiddenDim), ("vocab_size", vocabSize), ("seq_len", seqLen)]
        where value > 1 << 24 {
            throw Llama2cError.invalidHeader(file: file, field: name, value: value, reason: "implausibly large")
        }
        guard layers <= TransformerConfig.maximumLayers else {
            throw Llama2cError.invalidHeader(file: file, field: "n_layers", value: layers, reason: "implausibly large")
        }
        guard Self.checkedFloatCount(dim: dim, hiddenDim: hiddenDim, layers: layers, kvDim: kvHeads * (dim / heads),
                                     vocabSize: vocabSize, sharedClassifier: sharedClassifier, seqLen: seqLen,
                                     headSize: dim / heads) != nil else {
            throw Llama2cError.invalidHeader(file: file, field: "n_layers", value: layers, reason: "the weights it implies overflow a byte count")
        }
        do { try config.validate() } catch let error as TransformerConfigError {
            throw Llama2cError.invalidHeader(file: file, field: Self.field(for: error.field), value: Int(error.value) ?? 0,
                                             reason: error.reason)
        }
    }

    /// The header field that sets `field` of the config.
    static func field(for field: TransformerConfigError.Field) -> String {
        switch field {
        case .vocabSize: "vocab_size"
        case .maxPositions: "seq_len"
        case .layers: "n_layers"
        case .width, .normEps, .ropeBase, .typeVocabSize: "dim"
        case .heads, .headDim: "n_heads"
        case .kvHeads: "n_kv_heads"
        case .ffnWidth: "hidden_dim"
        }
    }

    /// Floats after the header, or nil when the count overflows.
    private static func checkedFloatCount(dim: Int, hiddenDim: Int, layers: Int, kvDim: Int, vocabSize: Int,
                                          sharedClassifier: Bool, seqLen: Int, headSize: Int) -> Int? {
        func mul(_ a: Int?, _ b: Int) -> Int? {
            guard let a else { return nil }
            let (p, o) = a.multipliedReportingOverflow(by: b)
            return o ? nil : p
        }
        func add(_ terms: Int?...) -> Int? {
            var total = 0
            for t in terms {
                guard let t else { return nil }
                let (s, o) = total.addingReportingOverflow(t)
                if o { return nil }
                total = s
            }
            return total
        }
        let perLayer = add(mul(2, dim), mul(mul(2, dim), dim), mul(mul(2, kvDim), dim), mul(mul(3, hiddenDim), dim))
        let total = add(mul(mul(vocabSize, dim), sharedClassifier ? 1 : 2), mul(perLayer, layers), dim, mul(seqLen, headSize))
        guard let total, add(mul(total, 4), byteCount) != nil else { return nil }
        return total
    }

    /// Head dimension D.
    package var headSize: Int { dim / heads }

    /// Floats after the header, in llama2.c's order: embedding, per-layer weights, final norm, the two
    /// RoPE tables, then the classifier when not shared.
    package var floatCount: Int {
        let kvDim = kvHeads * headSize
        let perLayer = 2 * dim + 2 * dim * dim + 2 * kvDim * dim + 3 * hiddenDim * dim
        return vocabSize * dim * (sharedClassifier ? 1 : 2) + layers * perLayer + dim + seqLen * headSize
    }

    /// Exact size of a well-formed file with this header.
    package var fileSize: Int { Self.byteCount + 4 * floatCount }

    /// The Swift Llama config: RoPE base 10000, RMSNorm eps 1e-5, BOS 1; generation stops at EOS 2 and,
    /// as llama2.c's `run.c` does, at BOS 1 (stories are separated by BOS).
    package var config: TransformerConfig {
        TransformerConfig(architecture: .llama, vocabSize: vocabSize, maxPositions: seqLen, layers: layers, width: dim,
                          heads: heads, kvHeads: kvHeads, headDim: headSize, ffnWidth: hiddenDim, normEps: 1e-5,
                          ropeBase: 10_000, tiedEmbeddings: sharedClassifier, bosTokenID: 1, eosTokenIDs: [2, 1])
    }
}
