import Wire

/// The learner's tickets on its weights socket (PROTOCOL.md section 7), as a pure value: each manifest
/// sent sealed carries a fresh ticket for one generator and one version; a request there is served only
/// with a ticket issued for its version, by that ticket's credit (`WeightCredit`: nothing sent twice,
/// at most `WeightCredit.maxOutstanding` chunks on their way). Tickets of versions before the two newest
/// are forgotten, so the book holds at most two per generator.
package struct SealedTicketBook: Sendable {
    /// What a request gets.
    package enum Grant: Sendable, Equatable {
        /// The chunk offsets to send, to the worker numbered `worker`.
        case chunks([Int], worker: UInt32)
        /// Nothing: why, one line, and the `cluster/refused/...` reason.
        case refused(reason: String, why: String)
    }

    private struct Entry: Sendable {
        var version: Int
        var worker: UInt32
        var credit: WeightCredit
    }

    private var entries: [[UInt8]: Entry] = [:]
    /// The newest version a ticket was issued for.
    package private(set) var newest = -1

    /// An empty book.
    package init() {}

    /// Tickets held now.
    package var count: Int { entries.count }

    /// Issues `ticket` (16 fresh random bytes) to the worker numbered `worker`, for version `version`.
    package mutating func issue(_ ticket: [UInt8], version: Int, worker: UInt32) {
        if version > newest {
            newest = version
            entries = entries.filter { $0.value.version >= newest - 1 }  // only when a newer version comes
        }
        entries[ticket] = Entry(version: version, worker: worker, credit: WeightCredit(version: version))
    }

    /// The chunks `request` gets at `now`, of a stream of `totalBytes`.
    package mutating func grant(_ request: WeightsRequest, totalBytes: Int, now: Double) -> Grant {
        guard var entry = entries[request.ticket] else {
            return .refused(reason: "weights_ticket", why: "a weights request with a ticket this learner did not issue (or no longer keeps)")
        }
        guard entry.version == request.version else {
            return .refused(reason: "weights_ticket", why: "a weights request for v\(request.version) with a ticket for v\(entry.version)")
        }
        let chunk = WeightStreamSource.chunkBytes
        guard request.byteOffset % chunk == 0, request.byteOffset < totalBytes else {
            return .refused(reason: "wrong_kind", why: "a weights request for v\(request.version) at byte \(request.byteOffset)")
        }
        let offsets = entry.credit.grant(request, chunkBytes: chunk, totalBytes: totalBytes, now: now)
        entries[request.ticket] = entry
        guard !offsets.isEmpty else {
            return .refused(reason: "credit_exhausted",
                            why: "a weights request for v\(request.version) at byte \(request.byteOffset) with \(WeightCredit.maxOutstanding) chunks still on their way")
        }
        return .chunks(offsets, worker: entry.worker)
    }
}
