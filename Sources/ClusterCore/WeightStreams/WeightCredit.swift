import Wire

/// One peer's credit on a weight stream: how far the learner has sent it, so that no peer ever has more
/// than `maxOutstanding` chunks on their way. A generator asks for chunks from its first missing byte; a
/// request at byte `o` says it holds everything before `o`, so the chunks sent at or after `o` are still
/// on their way. A request is granted only the chunks that keep those within the bound, starting where
/// the last grant ended (nothing is sent twice), so a peer that asks again and again without reading is
/// sent nothing more. Chunks unanswered for `stallSeconds` count as lost: a stalled generator asking
/// again is served from its first missing byte.
package struct WeightCredit: Sendable, Equatable {
    /// Most chunks on their way to one peer (also the most one request can ask for).
    package static let maxOutstanding = 64
    /// Seconds after the last grant at which the chunks on their way count as lost (the generator's stall).
    package static let stallSeconds = 10.0

    /// The version this credit is for.
    package private(set) var version: Int
    /// The byte after the last chunk granted, and when it was granted.
    package private(set) var sentUpTo = 0, grantedAt = -Double.infinity

    /// No chunks sent yet of `version`.
    package init(version: Int) { self.version = version }

    /// The chunk offsets to send for `request` at `now` (empty: none within the bound).
    package mutating func grant(_ request: WeightsRequest, chunkBytes: Int, totalBytes: Int, now: Double) -> [Int] {
        if request.version != version || now - grantedAt >= Self.stallSeconds || request.byteOffset > sentUpTo {
            version = request.version
            sentUpTo = request.byteOffset
        }
        let onTheirWay = (sentUpTo - request.byteOffset + chunkBytes - 1) / chunkBytes
        let allowed = min(max(request.credit, 1), Self.maxOutstanding) - max(0, onTheirWay)
        guard allowed > 0 else { return [] }
        let offsets = Array(stride(from: sentUpTo, to: totalBytes, by: chunkBytes).prefix(allowed))
        if let last = offsets.last {
            sentUpTo = min(totalBytes, last + chunkBytes)
            grantedAt = now
        }
        return offsets
    }
}
