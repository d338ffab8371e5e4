import Checksum
import Wire

/// A generator's assembly of one weight stream, as a pure state machine over an injected clock: it
/// checks the manifest against the generator's own layout, takes the chunks in order into one buffer,
/// and verifies every tensor's CRC-32C before handing out the version (a sealed stream's chunks are
/// authenticated one by one instead, as they come). A stream that makes no progress
/// for `stallSeconds` is stalled: the generator asks again from where it stopped (`request`), or drops it.
/// It belongs to the one thread that owns the generator's socket.
package struct WeightStreamAssembler {
    /// What a step did.
    package enum Outcome: Sendable, Equatable {
        /// Taken; `next` is the first byte still missing.
        case accepted(next: Int)
        /// Not for this stream (another version, or a chunk already taken or out of order): dropped.
        case ignored(String)
        /// Every byte arrived and every checksum matched.
        case complete(PolicyWeights)
        /// The stream cannot be used (a manifest that does not fit, a checksum that does not match): why.
        case failed(String)
    }

    /// The generator's layout: the tensors it expects, in order.
    package let layout: [WeightTensor]
    /// Seconds without progress before a stream counts as stalled.
    package let stallSeconds: Double
    /// The manifest being assembled (nil when idle).
    package private(set) var manifest: WeightsManifest?
    /// Bytes received so far, and when the last chunk came.
    package private(set) var received = 0, lastProgress = 0.0
    private var values: WeightValues?
    /// The manifest's seal, when its chunks come sealed.
    private var seal: ChunkSeal?
    private var buffer: UnsafeMutableRawBufferPointer?
    /// The installed version's buffer, once its receiver lets go of it, for the next version.
    private let pool = WeightBufferPool()

    /// An idle assembler for `layout`.
    package init(layout: [WeightTensor], stallSeconds: Double = 10) {
        self.layout = layout
        self.stallSeconds = stallSeconds
    }

    /// Starts assembling `manifest` (dropping any stream in progress).
    package mutating func begin(_ manifest: WeightsManifest, now: Double) -> Outcome {
        drop()
        var offset = 0
        guard manifest.version >= 0, manifest.tensors.count == layout.count else {
            return .failed("v\(manifest.version): \(manifest.tensors.count) tensors for a model of \(layout.count)")
        }
        for (tensor, expected) in zip(manifest.tensors, layout) {
            guard tensor.name == expected.name, tensor.shape == expected.shape else {
                return .failed("v\(manifest.version): tensor \(tensor.name) \(tensor.shape) where this model has \(expected.name) \(expected.shape)")
            }
            guard tensor.dtype == .f32, tensor.byteOffset == offset else {
                return .failed("v\(manifest.version): tensor \(tensor.name) is \(tensor.dtype) at byte \(tensor.byteOffset); expected f32 at \(offset)")
            }
            offset += expected.count * 4
        }
        guard manifest.totalBytes == offset else {
            return .failed("v\(manifest.version): the manifest says \(manifest.totalBytes) bytes; its tensors take \(offset)")
        }
        let (values, buffer) = WeightValues.assembling(count: offset / 4, pool: pool)
        self.manifest = manifest
        seal = manifest.sealed.flatMap { ChunkSeal(key: $0.key) }
        self.values = values
        self.buffer = buffer
        received = 0
        lastProgress = now
        return offset == 0 ? finish() : .accepted(next: 0)
    }

    /// Takes bytes `[offset, offset + bytes.count)` of version `version`; `sealed`: the bytes are the chunk
    /// sealed (`ChunkSeal`: nonce, ciphertext, tag) under the manifest's `SealedStream` key, and are opened into place.
    package mutating func receive(version: Int, offset: Int, bytes: UnsafeRawBufferPointer, sealed: Bool = false, now: Double) -> Outcome {
        guard let manifest, let buffer, version == manifest.version else { return .ignored("no stream of v\(version) in progress") }
        guard offset == received else { return .ignored("v\(version): bytes at \(offset), expected \(received)") }
        let length = bytes.count - (sealed ? ChunkSeal.overhead : 0)
        guard length > 0, length <= manifest.totalBytes - offset else {
            return .ignored("v\(version): \(bytes.count) bytes at \(offset) overrun the \(manifest.totalBytes)-byte stream")
        }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + length)])
        if sealed {
            guard let seal else { return .ignored("v\(version): a sealed chunk for a stream that is not sealed") }
            guard seal.open(bytes, version: version, offset: offset, into: target) else {
                return .ignored("v\(version): the sealed chunk at \(offset) does not authenticate")
            }
        } else {
            target.copyMemory(from: bytes)
        }
        received += length
        lastProgress = now
        return received == manifest.totalBytes ? finish() : .accepted(next: received)
    }

    /// Takes the whole stream of version `version` at once, as `values` (memory that stays unchanged while
    /// they live: the learner's shared-memory file, mapped), checking every tensor's CRC-32C over them in
    /// place: the version's weights are these values, with no copy.
    package mutating func takeWhole(version: Int, values: WeightValues, now: Double) -> Outcome {
        guard let manifest, version == manifest.version, received == 0 else { return .ignored("no stream of v\(version) waiting to start") }
        guard values.count * 4 == manifest.totalBytes else {
            return .failed("v\(version): \(values.count * 4) bytes where the manifest has \(manifest.totalBytes)")
        }
        defer { drop() }
        let matches = values.withUnsafeBufferPointer { floats -> String? in
            let bytes = UnsafeRawBufferPointer(floats)
            for tensor in manifest.tensors {
                let length = tensor.byteCount ?? 0
                let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[tensor.byteOffset..<(tensor.byteOffset + length)]))
                if crc != tensor.crc32c { return tensor.name }
            }
            return nil
        }
        if let bad = matches { return .failed("v\(manifest.version): tensor \(bad) fails its checksum") }
        lastProgress = now
        return .complete(PolicyWeights(version: manifest.version, replaces: manifest.replaces, tensors: layout, values: values))
    }

    /// Whether the stream in progress has made no progress for `stallSeconds` by `now`.
    package func isStalled(now: Double) -> Bool { manifest != nil && now - lastProgress > stallSeconds }

    /// The request that resumes the stream where it stopped (nil when idle).
    package func request(credit: Int) -> WeightsRequest? {
        manifest.map { WeightsRequest(version: $0.version, byteOffset: received, credit: credit, ticket: $0.sealed?.ticket ?? []) }
    }

    /// Counts `now` as progress (the stream was asked for again after a stall).
    package mutating func restart(now: Double) { if manifest != nil { lastProgress = now } }

    /// Forgets the stream in progress.
    package mutating func drop() {
        manifest = nil
        seal = nil
        values = nil
        buffer = nil
        received = 0
    }

    private mutating func finish() -> Outcome {
        guard let manifest, let values, let buffer else { return .failed("no stream") }
        defer { drop() }
        // a sealed stream's every chunk was authenticated as it came (AES-GCM, under the version's key):
        // the learner sealed the very bytes its checksums were made from, so they are not read again
        for tensor in manifest.tensors where seal == nil {
            let length = tensor.byteCount ?? 0
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[tensor.byteOffset..<(tensor.byteOffset + length)]))
            guard crc == tensor.crc32c else { return .failed("v\(manifest.version): tensor \(tensor.name) fails its checksum") }
        }
        return .complete(PolicyWeights(version: manifest.version, replaces: manifest.replaces, tensors: layout, values: values))
    }
}
