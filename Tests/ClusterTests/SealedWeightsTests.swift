import ClusterCore
import Wire
import XCTest

/// Chunks sealed once for every generator of other hosts (AES-256-GCM under a key made for one version):
/// a sealed version assembles equal to the published one; a chunk flipped by one bit, moved to another
/// offset or version, or opened under another key is dropped and never yields weights; the learner's
/// tickets serve only their own version, within their credit, and are forgotten two versions on.
final class SealedWeightsTests: XCTestCase {
    let source = WeightStreamSource(WeightStreamTests.weights)

    /// Chunk `offset` of `source` sealed under `key` as version `version` (tampered by `tamper`).
    func sealed(_ offset: Int, key: [UInt8], version: Int = 4, tamper: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
        source.withChunk(at: offset) { plain -> [UInt8] in
            var out = [UInt8](repeating: 0, count: plain.count + ChunkSeal.overhead)
            let ok = out.withUnsafeMutableBytes { try! ChunkSeal(key: key)!.seal(plain, version: version, offset: offset, into: $0) }
            XCTAssertTrue(ok)
            tamper(&out)
            return out
        }!
    }

    func manifest(key: [UInt8]) -> WeightsManifest {
        var manifest = source.manifest
        manifest.sealed = SealedStream(key: key, port: 5555, ticket: ChunkSeal.newTicket())
        return manifest
    }

    func testASealedVersionArrivesWholeAndEqual() {
        let key = ChunkSeal.newKey()
        var assembler = WeightStreamAssembler(layout: WeightStreamTests.layout)
        XCTAssertEqual(assembler.begin(manifest(key: key), now: 0), .accepted(next: 0))
        XCTAssertEqual(assembler.request(credit: 4)?.ticket.count, 16, "requests carry the ticket")
        var last: WeightStreamAssembler.Outcome?
        for offset in stride(from: 0, to: source.manifest.totalBytes, by: WeightStreamSource.chunkBytes) {
            let bytes = sealed(offset, key: key)
            XCTAssertNotEqual(Array(bytes[12..<44]), source.withChunk(at: offset) { Array($0[0..<32]) }, "the bytes travel encrypted")
            last = bytes.withUnsafeBytes { assembler.receive(version: 4, offset: offset, bytes: $0, sealed: true, now: 1) }
        }
        XCTAssertEqual(last, .complete(WeightStreamTests.weights))
    }

    func testTamperedMovedOrForeignChunksAreDropped() {
        let key = ChunkSeal.newKey()
        var assembler = WeightStreamAssembler(layout: WeightStreamTests.layout)
        _ = assembler.begin(manifest(key: key), now: 0)
        let chunk = WeightStreamSource.chunkBytes
        let cases: [(String, [UInt8], Int)] = [
            ("a flipped bit", sealed(0, key: key) { $0[500] ^= 0x10 }, 0),
            ("a flipped tag", sealed(0, key: key) { $0[$0.count - 1] ^= 1 }, 0),
            ("another version's chunk", sealed(0, key: key, version: 5), 0),
            ("another key", sealed(0, key: ChunkSeal.newKey()), 0),
            ("a nonce that is not the chunk's", sealed(0, key: key) { $0[0] = 9 }, 0),
            ("chunk 1 sent as chunk 0", sealed(chunk, key: key), 0),
            ("cut short", Array(sealed(0, key: key).dropLast(1)), 0),
        ]
        for (what, bytes, offset) in cases {
            let outcome = bytes.withUnsafeBytes { assembler.receive(version: 4, offset: offset, bytes: $0, sealed: true, now: 1) }
            guard case .ignored = outcome else { return XCTFail("\(what): \(outcome)") }
            XCTAssertEqual(assembler.received, 0, what)
        }
        // a sealed chunk for a stream that is not sealed
        var plain = WeightStreamAssembler(layout: WeightStreamTests.layout)
        _ = plain.begin(source.manifest, now: 0)
        guard case .ignored = sealed(0, key: key).withUnsafeBytes({ plain.receive(version: 4, offset: 0, bytes: $0, sealed: true, now: 1) }) else {
            return XCTFail("a sealed chunk was taken into a plain stream")
        }
        // and the honest chunk still goes in after all that
        XCTAssertEqual(sealed(0, key: key).withUnsafeBytes { assembler.receive(version: 4, offset: 0, bytes: $0, sealed: true, now: 2) },
                       .accepted(next: chunk))
    }

    func testTicketsServeTheirVersionWithinCreditAndAreForgotten() {
        var book = SealedTicketBook()
        let first = ChunkSeal.newTicket(), second = ChunkSeal.newTicket(), stranger = ChunkSeal.newTicket()
        XCTAssertNotEqual(first, second)
        book.issue(first, version: 1, worker: 7)
        let total = 10 << 20, chunk = WeightStreamSource.chunkBytes
        XCTAssertEqual(book.grant(WeightsRequest(version: 1, byteOffset: 0, credit: 4, ticket: first), totalBytes: total, now: 0),
                       .chunks([0, chunk, 2 * chunk, 3 * chunk], worker: 7))
        guard case .refused("credit_exhausted", _) = book.grant(WeightsRequest(version: 1, byteOffset: 0, credit: 4, ticket: first),
                                                                 totalBytes: total, now: 0.1) else { return XCTFail("asked again without reading") }
        guard case .refused("weights_ticket", _) = book.grant(WeightsRequest(version: 1, byteOffset: 0, credit: 4, ticket: stranger),
                                                               totalBytes: total, now: 0) else { return XCTFail("a ticket never issued") }
        guard case .refused("weights_ticket", _) = book.grant(WeightsRequest(version: 2, byteOffset: 0, credit: 4, ticket: first),
                                                               totalBytes: total, now: 0) else { return XCTFail("a ticket of another version") }
        guard case .refused("wrong_kind", _) = book.grant(WeightsRequest(version: 1, byteOffset: 5, credit: 4, ticket: first),
                                                           totalBytes: total, now: 0) else { return XCTFail("off a chunk boundary") }
        book.issue(second, version: 2, worker: 7)
        XCTAssertEqual(book.count, 2, "the two newest versions' tickets are kept")
        book.issue(ChunkSeal.newTicket(), version: 3, worker: 7)
        XCTAssertEqual(book.count, 2)
        guard case .refused("weights_ticket", _) = book.grant(WeightsRequest(version: 1, byteOffset: 4 * chunk, credit: 4, ticket: first),
                                                               totalBytes: total, now: 1) else { return XCTFail("v1's ticket outlived v3") }
    }
}
