import Checksum
import Wire

/// A policy version as the byte stream the cluster sends: its manifest (every tensor's offset and
/// CRC-32C) and ~1 MiB chunks read in place from the values (the learner's snapshot), never copied
/// into a message first.
package struct WeightStreamSource: Sendable {
    /// The version.
    package let weights: PolicyWeights
    /// Its manifest.
    package let manifest: WeightsManifest
    /// Bytes per chunk.
    package static let chunkBytes = 1 << 20

    /// The stream of `weights` (one pass over the values to checksum each tensor).
    package init(_ weights: PolicyWeights) {
        self.weights = weights
        var offset = 0
        var tensors: [ManifestTensor] = []
        weights.values.withUnsafeBufferPointer { values in
            let bytes = UnsafeRawBufferPointer(values)
            for tensor in weights.tensors {
                let length = tensor.count * 4
                let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
                tensors.append(ManifestTensor(name: tensor.name, shape: tensor.shape, dtype: .f32, byteOffset: offset, crc32c: crc))
                offset += length
            }
        }
        manifest = WeightsManifest(version: weights.version, replaces: weights.replaces, tensors: tensors, totalBytes: offset)
    }

    /// Calls `body` with the bytes of the chunk that starts at `offset` (nil past the end or off a
    /// chunk boundary).
    package func withChunk<R>(at offset: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        guard offset >= 0, offset < manifest.totalBytes, offset % Self.chunkBytes == 0 else { return nil }
        return try weights.values.withUnsafeBufferPointer { values in
            let bytes = UnsafeRawBufferPointer(values)
            return try body(UnsafeRawBufferPointer(rebasing: bytes[offset..<min(offset + Self.chunkBytes, manifest.totalBytes)]))
        }
    }
}
