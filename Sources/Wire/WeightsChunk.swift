/// `WEIGHTS_CHUNK`: bytes `[byteOffset, byteOffset + bytes.count)` of version `version`'s byte stream
/// (PROTOCOL.md section 7). On the wire the bytes are frame 2, raw (at most 4 MiB; ≈ 1 MiB as sent).
package struct WeightsChunk: Sendable, Equatable {
    /// The version the bytes belong to.
    package var version: Int
    /// Where they start in its stream.
    package var byteOffset: Int
    /// The bytes (at least one; empty when decoded in place, its bytes left in frame 2).
    package var bytes: [UInt8]

    /// Creates a chunk.
    package init(version: Int, byteOffset: Int, bytes: [UInt8]) { self.version = version; self.byteOffset = byteOffset; self.bytes = bytes }
}
