import Crypto
import Foundation
import Wire

/// The seal on a version's chunks for generators of other hosts (PROTOCOL.md section 7): AES-256-GCM
/// under a key made for that version alone, chunk i sealed with the 12-byte nonce i (little-endian) and
/// authenticating the version and the chunk's byte offset, so a chunk cannot stand in for another, of this
/// version or any other. The learner seals each chunk once for all generators; each generator opens its
/// copy. (AES-256-GCM from swift-crypto's BoringSSL: here 10 GB/s to open and 5 GB/s to seal, against
/// 1.6 GB/s for libsodium's AES-256-GCM and 1.4 GB/s for its XChaCha20-Poly1305; docs/PERFORMANCE.md.)
package struct ChunkSeal: @unchecked Sendable {  // immutable: its key never changes after init
    /// Bytes a sealed chunk has beyond its plain bytes: the 12-byte nonce before them, the 16-byte tag after.
    package static let overhead = 28
    private let key: SymmetricKey

    /// A seal under `key` (32 bytes).
    package init?(key: [UInt8]) {
        guard key.count == SealedStream.keyBytes else { return nil }
        self.key = SymmetricKey(data: key)
    }

    /// A fresh random key for one version.
    package static func newKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// A fresh random ticket.
    package static func newTicket() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<SealedStream.ticketBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Seals `plain`, the chunk at `offset` of version `version`, into `sealed` (its length plus `overhead`:
    /// the nonce, the ciphertext, the tag: AES-GCM's combined form); false when `sealed` is not that long.
    package func seal(_ plain: UnsafeRawBufferPointer, version: Int, offset: Int, into sealed: UnsafeMutableRawBufferPointer) throws -> Bool {
        guard sealed.count == plain.count + Self.overhead else { return false }
        let box = try AES.GCM.seal(plain, using: key, nonce: Self.nonce(offset), authenticating: Self.associated(version, offset))
        guard let combined = box.combined, combined.count == sealed.count else { return false }
        combined.withUnsafeBytes { sealed.copyMemory(from: $0) }
        return true
    }

    /// Opens `sealed`, the chunk at `offset` of version `version` in combined form, into `plain` (its plain
    /// length); false (and `plain` unspecified) when its nonce is not this chunk's or it does not authenticate.
    package func open(_ sealed: UnsafeRawBufferPointer, version: Int, offset: Int, into plain: UnsafeMutableRawBufferPointer) -> Bool {
        guard sealed.count == plain.count + Self.overhead, let base = sealed.baseAddress else { return false }
        let expected = Self.nonce(offset)
        guard expected.withUnsafeBytes({ $0.elementsEqual(UnsafeRawBufferPointer(rebasing: sealed[..<12])) }) else { return false }
        // the received bytes wrapped without a copy (swift-crypto's box still copies them once, and the open
        // writes a new buffer: two copies more than an open in place would need; docs/PERFORMANCE.md)
        let combined = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: sealed.count, deallocator: .none)
        guard let box = try? AES.GCM.SealedBox(combined: combined),
              let opened = try? AES.GCM.open(box, using: key, authenticating: Self.associated(version, offset)),
              opened.count == plain.count else { return false }
        opened.withUnsafeBytes { plain.copyMemory(from: $0) }
        return true
    }

    /// Chunk `offset / chunkBytes`'s nonce: its index, little-endian, in 12 bytes.
    private static func nonce(_ offset: Int) -> AES.GCM.Nonce {
        var bytes = [UInt8](repeating: 0, count: 12)
        let index = UInt64(offset / WeightStreamSource.chunkBytes)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(i))) }
        return try! AES.GCM.Nonce(data: bytes)  // 12 bytes: always a valid nonce
    }

    /// The authenticated data: the version (int64) then the offset (uint64), little-endian.
    private static func associated(_ version: Int, _ offset: Int) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: Int64(version) >> (8 * Int64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: UInt64(offset) >> (8 * UInt64($0))) }
    }
}
