import Dispatch
@testable import Tensor
import XCTest

/// `Parallel` over the persistent worker pool: every index is visited exactly once, job after job
/// (including after helpers have gone to sleep), from concurrent callers and from nested calls.
final class ParallelTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    /// Sums `i+1` over 0..<count through `Parallel.forRanges` with per-worker partials.
    private static func parallelSum(_ count: Int) -> Int {
        let partials = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0, count: 8)
        let workers = Parallel.forRangesIndexed(count, minimumWork: 0) { w, range in
            for i in range { partials[w] += i + 1 }
        }
        return (0..<workers).reduce(0) { $0 + partials[$1] }
    }

    func testManyJobsInARowVisitEveryIndexOnce() {
        for n in 0..<5_000 {
            let count = 1 + n % 97
            XCTAssertEqual(Self.parallelSum(count), count * (count + 1) / 2, "job \(n)")
        }
    }

    func testJobsAfterTheHelpersSleep() {
        for n in 0..<5 {
            usleep(20_000)  // long enough for the helpers to stop spinning
            XCTAssertEqual(Self.parallelSum(1000), 500_500, "after pause \(n)")
        }
    }

    func testConcurrentCallersAndNestedCalls() {
        let results = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        defer { results.deallocate() }
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: 4) { caller in  // each caller is a separate thread
            var total = 0
            for _ in 0..<200 { total += ParallelTests.parallelSum(300) }
            out[caller] = total
        }
        for caller in 0..<4 { XCTAssertEqual(results[caller], 200 * 45_150) }
        // a parallel body that itself runs a parallel loop
        let nested = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { nested.deallocate() }
        nested.initialize(repeating: 0, count: 2)
        Parallel.forRangesIndexed(2, minimumWork: 0) { w, _ in nested[w] = ParallelTests.parallelSum(100) }
        XCTAssertEqual(nested[0], 5050)
        XCTAssertEqual(nested[1], 5050)
    }
}
