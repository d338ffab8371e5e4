/// `WEIGHTS_REQUEST`: a generator asks for version `version` from `byteOffset` on, granting `credit`
/// chunks (PROTOCOL.md section 7). Asking again from where it stopped resumes a stalled stream.
package struct WeightsRequest: Sendable, Equatable {
    /// The version wanted.
    package var version: Int
    /// The first byte wanted.
    package var byteOffset: Int
    /// How many chunks the learner may send before the next request (≥ 1).
    package var credit: Int
    /// On the learner's weights socket: the manifest's `SealedStream.ticket`; empty on the learner's channel.
    package var ticket: [UInt8]

    /// Creates a request.
    package init(version: Int, byteOffset: Int, credit: Int, ticket: [UInt8] = []) {
        self.version = version; self.byteOffset = byteOffset; self.credit = credit; self.ticket = ticket
    }
}
