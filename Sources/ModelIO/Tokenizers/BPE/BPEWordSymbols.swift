/// The symbols one word starts from before its merges, as Hugging Face's `BPE::merge_word` collects them:
/// the ids of known scalars, `<0xXX>` byte tokens (`byte_fallback`), and the unknown token for a scalar
/// spelled neither way; with `fuse_unk`, a run of unknown scalars makes one unknown token.
struct BPEWordSymbols {
    /// The symbols so far.
    private var ids: [Int32]
    /// Id of the unknown token; nil drops unknown scalars.
    private let unknownID: Int32?
    /// `fuse_unk`: a run of unknown scalars makes one unknown token.
    private let fusesUnknown: Bool
    /// Whether an unknown scalar's token is still to be appended (it may fuse with the next one).
    private var pendingUnknown = false

    /// No symbols yet, with room for `capacity`.
    @inline(__always)
    init(capacity: Int, unknownID: Int32?, fusesUnknown: Bool) {
        ids = []
        ids.reserveCapacity(capacity)
        self.unknownID = unknownID
        self.fusesUnknown = fusesUnknown
    }

    /// Appends the id of a known scalar, after the unknown token still pending.
    @inline(__always)
    mutating func append(_ id: Int32) {
        if pendingUnknown, let unknown = unknownID { ids.append(unknown) }
        pendingUnknown = false
        ids.append(id)
    }

    /// Appends the byte tokens of a scalar's UTF-8 bytes when `byteTokenIDs` (by byte, -1 where missing)
    /// has them all, and says whether it did. A pending unknown token stays pending, as in Hugging Face.
    @inline(__always)
    mutating func appendByteTokens(of utf8: some Collection<UInt8>, from byteTokenIDs: [Int32]) -> Bool {
        guard utf8.allSatisfy({ byteTokenIDs[Int($0)] >= 0 }) else { return false }
        for byte in utf8 { ids.append(byteTokenIDs[Int(byte)]) }
        return true
    }

    /// Counts a scalar the vocabulary cannot spell.
    @inline(__always)
    mutating func appendUnknown() {
        guard let unknown = unknownID else { return }
        if pendingUnknown && !fusesUnknown { ids.append(unknown) }
        pendingUnknown = true
    }

    /// The symbols, the unknown token still pending appended.
    @inline(__always)
    mutating func finish() -> [Int32] {
        if pendingUnknown, let unknown = unknownID { ids.append(unknown) }
        pendingUnknown = false
        return ids
    }
}
