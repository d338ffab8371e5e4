import ClusterCore
import Wire
import ZeroMQ

/// Between the codec's frames and ZeroMQ's: decoding reads received frames in place; a weight
/// chunk goes out as its header, its body and a frame over the snapshot's memory (no copy).
enum WireFrames {
    /// Decodes `frames` sent by `sender`.
    static func decode(_ frames: [Frame], from sender: WirePeer) -> Result<WireEnvelope, WireError> {
        Result { () throws(WireError) in try WireCodec.decode(frames: frames, from: sender) }
    }

    /// Decodes `frames` the learner sent, a weight chunk's bytes left in frame 2 (read them with `withPayload`).
    static func decodeInPlace(_ frames: [Frame]) -> Result<WireEnvelope, WireError> {
        Result { () throws(WireError) in try WireCodec.decode(frames: frames, from: .learner, copyingChunk: false) }
    }

    /// Calls `body` with the bytes of the weight chunk `decoded` from `frames` in place (nil for any other message).
    static func withPayload<R>(_ frames: [Frame], of decoded: Result<WireEnvelope, WireError>, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        guard case let .success(envelope) = decoded, case .weightsChunk = envelope.message, frames.count == 3 else { return body(nil) }
        return frames[2].withUnsafeBytes { body($0) }
    }

    /// Whether `frames` are a `HEARTBEAT` (a look at the header alone).
    static func isHeartbeat(_ frames: [Frame]) -> Bool {
        guard frames.count == 2, frames[1].count == 0 else { return false }
        return WireCodec.kind(ofHeader: frames[0]) == .heartbeat
    }

    /// The frames of `message` with `header`.
    static func encode(_ message: WireMessage, header: WireHeader) throws(WireError) -> [Frame] {
        try WireCodec.encode(message, header: header).map { Frame($0) }
    }

    /// The frames of chunk `offset` of `stream`, its bytes read in place.
    static func chunk(_ stream: WeightStreamSource, offset: Int, header: WireHeader) throws(WireError) -> [Frame]? {
        guard let payload = stream.withChunk(at: offset, { Frame(unsafeBytes: $0, owner: stream.weights.values) }) else { return nil }
        return try chunk(version: stream.manifest.version, offset: offset, payload: payload, header: header)
    }

    /// The frames of a `WEIGHTS_CHUNK` of `version` at `offset` whose bytes are `payload` (sent as it is).
    static func chunk(version: Int, offset: Int, payload: Frame, header: WireHeader) throws(WireError) -> [Frame] {
        let head = try WireCodec.encode(.weightsChunk(WeightsChunk(version: version, byteOffset: offset, bytes: [0])), header: header)
        return [Frame(head[0]), Frame(head[1]), payload]
    }
}

/// A received ZeroMQ frame is decoded in place, never copied first (a 64 MiB rollout included).
extension Frame: WireFrame {
    /// Calls `body` with the frame's bytes.
    package func withWireBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WireError) -> R) throws(WireError) -> R {
        try withUnsafeBytes(body)
    }
}
