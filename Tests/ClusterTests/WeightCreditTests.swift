import ClusterCore
import Wire
import XCTest

/// A peer never has more than 64 chunks on their way: asking again without reading is sent nothing, a
/// generator that reads is served as it asks, and a stalled one is served again from its first missing
/// byte once the stall time has passed.
final class WeightCreditTests: XCTestCase {
    let chunk = 1 << 20, total = 200 << 20 + 5

    func testAGeneratorThatReadsIsServedWhatItAsks() {
        var credit = WeightCredit(version: 3)
        var next = 0, served: [Int] = []
        while next < total {
            let offsets = credit.grant(WeightsRequest(version: 3, byteOffset: next, credit: 16), chunkBytes: chunk, totalBytes: total, now: 1)
            XCTAssertFalse(offsets.isEmpty)
            XCTAssertLessThanOrEqual(offsets.count, 16)
            served += offsets
            next = min(total, offsets.last! + chunk)
        }
        XCTAssertEqual(served, Array(stride(from: 0, to: total, by: chunk)), "every chunk once, in order")
    }

    func testAskingAgainWithoutReadingIsBounded() {
        var credit = WeightCredit(version: 3)
        var sent = 0
        for t in 0..<100 {
            sent += credit.grant(WeightsRequest(version: 3, byteOffset: 0, credit: 64), chunkBytes: chunk, totalBytes: total,
                                 now: Double(t) * 0.05).count
        }
        XCTAssertEqual(sent, WeightCredit.maxOutstanding, "64 chunks, then nothing while none of them is read")
        // a hostile credit over the cap is capped too
        var greedy = WeightCredit(version: 3)
        XCTAssertEqual(greedy.grant(WeightsRequest(version: 3, byteOffset: 0, credit: 1 << 30), chunkBytes: chunk, totalBytes: total, now: 0).count, 64)
        // skipping ahead without reading: each request's chunks stay within the bound of what it says it holds
        var skipper = WeightCredit(version: 3)
        XCTAssertEqual(skipper.grant(WeightsRequest(version: 3, byteOffset: 0, credit: 64), chunkBytes: chunk, totalBytes: total, now: 0).count, 64)
        XCTAssertEqual(skipper.grant(WeightsRequest(version: 3, byteOffset: 32 << 20, credit: 64), chunkBytes: chunk, totalBytes: total, now: 0),
                       Array(stride(from: 64 << 20, to: 96 << 20, by: chunk)), "32 still on their way: 32 more, after the 64 sent")
    }

    func testAStalledGeneratorIsServedAgainAfterTheStallTime() {
        var credit = WeightCredit(version: 3)
        XCTAssertEqual(credit.grant(WeightsRequest(version: 3, byteOffset: 0, credit: 8), chunkBytes: chunk, totalBytes: total, now: 0).count, 8)
        XCTAssertEqual(credit.grant(WeightsRequest(version: 3, byteOffset: 2 << 20, credit: 8), chunkBytes: chunk, totalBytes: total, now: 1),
                       Array(stride(from: 8 << 20, to: 10 << 20, by: chunk)), "6 on their way: 2 more")
        let again = credit.grant(WeightsRequest(version: 3, byteOffset: 2 << 20, credit: 8), chunkBytes: chunk, totalBytes: total,
                                 now: 1 + WeightCredit.stallSeconds)
        XCTAssertEqual(again, Array(stride(from: 2 << 20, to: 10 << 20, by: chunk)), "after the stall time, from the first missing byte")
        // a new version starts over
        XCTAssertEqual(credit.grant(WeightsRequest(version: 4, byteOffset: 0, credit: 2), chunkBytes: chunk, totalBytes: total, now: 12), [0, chunk])
    }
}
