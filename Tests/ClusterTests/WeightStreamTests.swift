import ClusterCore
import Models
import Wire
import XCTest

/// Weight streams with a manual clock: a version goes through chunks and comes out equal, a cut stream
/// stalls and resumes from where it stopped, and a corrupt chunk, a wrong layout or stray chunks never
/// yield weights.
final class WeightStreamTests: XCTestCase {
    /// Three tensors over 2.5 chunks, values that differ per position.
    static let layout = [WeightTensor(name: "a", shape: [1 << 17, 2]), WeightTensor(name: "b", shape: [100_000]),
                         WeightTensor(name: "c", shape: [3, 7])]
    static let weights: PolicyWeights = {
        let count = layout.reduce(0) { $0 + $1.count }
        return PolicyWeights(version: 4, replaces: 3, tensors: layout,
                             values: WeightValues((0..<count).map { Float($0 % 9973) * 0.5 - 7 }))
    }()

    /// Feeds the source's chunks from `start` while `keep(offset)` holds; returns the last outcome.
    func feed(_ source: WeightStreamSource, into assembler: inout WeightStreamAssembler, from start: Int, now: Double,
              while keep: (Int) -> Bool = { _ in true }) -> WeightStreamAssembler.Outcome? {
        var offset = start, last: WeightStreamAssembler.Outcome?
        while keep(offset), let outcome = source.withChunk(at: offset, { assembler.receive(version: 4, offset: offset, bytes: $0, now: now) }) {
            last = outcome
            offset += WeightStreamSource.chunkBytes
        }
        return last
    }

    func testAVersionArrivesWholeAndEqual() {
        let source = WeightStreamSource(Self.weights)
        XCTAssertEqual(source.manifest.totalBytes, Self.weights.values.count * 4)
        XCTAssertEqual(source.manifest.tensors.map(\.byteOffset), [0, (1 << 18) * 4, (1 << 18) * 4 + 400_000])
        var assembler = WeightStreamAssembler(layout: Self.layout)
        XCTAssertEqual(assembler.begin(source.manifest, now: 0), .accepted(next: 0))
        XCTAssertEqual(feed(source, into: &assembler, from: 0, now: 1), .complete(Self.weights))
        XCTAssertNil(assembler.manifest, "idle again")
    }

    func testACutStreamStallsAndResumesFromWhereItStopped() {
        let source = WeightStreamSource(Self.weights)
        var assembler = WeightStreamAssembler(layout: Self.layout, stallSeconds: 10)
        _ = assembler.begin(source.manifest, now: 0)
        XCTAssertEqual(feed(source, into: &assembler, from: 0, now: 2, while: { $0 < WeightStreamSource.chunkBytes }),
                       .accepted(next: WeightStreamSource.chunkBytes))
        XCTAssertFalse(assembler.isStalled(now: 12))
        XCTAssertTrue(assembler.isStalled(now: 12.5), "no progress for more than 10 s")
        let request = assembler.request(credit: 8)
        XCTAssertEqual(request, WeightsRequest(version: 4, byteOffset: WeightStreamSource.chunkBytes, credit: 8))
        XCTAssertEqual(feed(source, into: &assembler, from: request!.byteOffset, now: 13), .complete(Self.weights))
        // and a stream that is dropped yields nothing from late chunks
        _ = assembler.begin(source.manifest, now: 20)
        assembler.drop()
        XCTAssertEqual(source.withChunk(at: 0) { assembler.receive(version: 4, offset: 0, bytes: $0, now: 21) },
                       .ignored("no stream of v4 in progress"))
    }

    func testACorruptChunkFailsItsTensorsChecksum() {
        let source = WeightStreamSource(Self.weights)
        var assembler = WeightStreamAssembler(layout: Self.layout)
        _ = assembler.begin(source.manifest, now: 0)
        var offset = 0, outcome: WeightStreamAssembler.Outcome?
        while let bytes = source.withChunk(at: offset, { Array($0) }) {
            var damaged = bytes
            if offset == WeightStreamSource.chunkBytes { damaged[12345] ^= 0x10 }  // byte 1 MiB + 12345: inside tensor b (a is the first 1 MiB)
            outcome = damaged.withUnsafeBytes { assembler.receive(version: 4, offset: offset, bytes: $0, now: 1) }
            offset += bytes.count
        }
        XCTAssertEqual(outcome, .failed("v4: tensor b fails its checksum"))
    }

    func testStrayChunksAndManifestsThatDoNotFitAreRefused() {
        let source = WeightStreamSource(Self.weights)
        var assembler = WeightStreamAssembler(layout: Self.layout)
        _ = assembler.begin(source.manifest, now: 0)
        XCTAssertEqual(source.withChunk(at: WeightStreamSource.chunkBytes) {
            assembler.receive(version: 4, offset: WeightStreamSource.chunkBytes, bytes: $0, now: 0)
        }, .ignored("v4: bytes at \(WeightStreamSource.chunkBytes), expected 0"))
        XCTAssertEqual(source.withChunk(at: 0) { assembler.receive(version: 5, offset: 0, bytes: $0, now: 0) },
                       .ignored("no stream of v5 in progress"))
        let oversized = [UInt8](repeating: 0, count: source.manifest.totalBytes + 1)
        XCTAssertEqual(oversized.withUnsafeBytes { assembler.receive(version: 4, offset: 0, bytes: $0, now: 0) },
                       .ignored("v4: \(oversized.count) bytes at 0 overrun the \(source.manifest.totalBytes)-byte stream"))
        var wrong = source.manifest
        wrong.tensors[1].shape = [99_999]
        XCTAssertEqual(assembler.begin(wrong, now: 0), .failed("v4: tensor b [99999] where this model has b [100000]"))
        wrong = source.manifest
        wrong.totalBytes += 4
        XCTAssertEqual(assembler.begin(wrong, now: 0),
                       .failed("v4: the manifest says \(wrong.totalBytes) bytes; its tensors take \(source.manifest.totalBytes)"))
        wrong = source.manifest
        wrong.tensors.removeLast()
        XCTAssertEqual(assembler.begin(wrong, now: 0), .failed("v4: 2 tensors for a model of 3"))
    }
}
