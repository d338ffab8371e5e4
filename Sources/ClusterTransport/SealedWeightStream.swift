import ClusterCore
import Synchronization
import Wire

/// One version's chunks sealed once for every generator of another host (`ChunkSeal`, under a key made
/// for this version alone): each chunk is sealed the first time a generator asks for it, into one
/// allocation of `totalBytes + 16 × chunks` bytes, and sent from there without a copy (frames borrow it;
/// libzmq keeps the stream alive until they are written).
final class SealedWeightStream: @unchecked Sendable {
    /// The version's stream, in the clear.
    let source: WeightStreamSource
    /// The version's key.
    let key: [UInt8]
    private let seal: ChunkSeal
    /// [chunks × (chunkBytes + 16)] bytes: chunk i's sealed bytes at i × (chunkBytes + 16).
    private let storage: UnsafeMutableRawBufferPointer
    private let sealed: Mutex<[Bool]>

    /// `source`'s chunks, none sealed yet, under a fresh key.
    init(_ source: WeightStreamSource) {
        self.source = source
        key = ChunkSeal.newKey()
        seal = ChunkSeal(key: key)!  // newKey() is 32 bytes
        let chunks = (source.manifest.totalBytes + WeightStreamSource.chunkBytes - 1) / WeightStreamSource.chunkBytes
        storage = .allocate(byteCount: max(1, chunks * Self.stride), alignment: 64)
        sealed = Mutex(Array(repeating: false, count: chunks))
    }

    deinit { storage.deallocate() }

    private static var stride: Int { WeightStreamSource.chunkBytes + ChunkSeal.overhead }

    /// The sealed bytes of the chunk at `offset` (sealing it first if no generator asked for it yet), or
    /// nil off a chunk boundary or past the end.
    func sealedChunk(at offset: Int) -> UnsafeRawBufferPointer? {
        let chunk = WeightStreamSource.chunkBytes
        guard offset >= 0, offset < source.manifest.totalBytes, offset % chunk == 0 else { return nil }
        let index = offset / chunk
        let length = min(chunk, source.manifest.totalBytes - offset) + ChunkSeal.overhead
        let slot = UnsafeMutableRawBufferPointer(rebasing: storage[(index * Self.stride)..<(index * Self.stride + length)])
        // sealed under the lock: one seal per chunk even if two serving threads ask at once
        let ok: Bool = sealed.withLock { done in
            if done[index] { return true }
            let sealedNow = source.withChunk(at: offset) { plain in
                (try? seal.seal(plain, version: source.manifest.version, offset: offset, into: slot)) ?? false
            } ?? false
            guard sealedNow else { return false }
            done[index] = true
            return true
        }
        return ok ? UnsafeRawBufferPointer(slot) : nil
    }
}
