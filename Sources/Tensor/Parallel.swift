import Dispatch

/// Parallel loops over the CPU cores, used by every non-BLAS kernel.
///
/// Work is split into contiguous chunks, one per worker, so each thread streams through its own part
/// of a buffer. Small loops run inline: a chunk below `minimumWork` elements is not worth a thread hop.
package enum Parallel {
    /// Number of worker threads kernels use (set once at start-up, e.g. from `--threads`).
    nonisolated(unsafe) package static var threadCount: Int = max(1, System.coreCount)

    /// Calls `body(range)` on disjoint sub-ranges that cover `0..<count`, in parallel.
    /// - Parameter minimumWork: below `count * costPerItem < minimumWork` the loop runs on the caller.
    @inlinable
    package static func forRanges(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 32_768,
                                 _ body: (Range<Int>) -> Void) {
        let workers = min(threadCount, count)
        if workers <= 1 || count * costPerItem < minimumWork {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // workers run `body` on disjoint ranges; callers own the data race freedom of their buffers
            nonisolated(unsafe) let body = body
            dispatch(workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// Calls `body(worker, range)` with the worker index, for kernels that keep per-worker partial sums.
    /// Returns the number of workers used (partials `0..<workers` are valid).
    @inlinable @discardableResult
    package static func forRangesIndexed(_ count: Int, costPerItem: Int = 1, minimumWork: Int = 32_768,
                                        _ body: (Int, Range<Int>) -> Void) -> Int {
        let workers = min(threadCount, count)
        if workers <= 1 || count * costPerItem < minimumWork {
            if count > 0 { body(0, 0..<count) }
            return 1
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            dispatch(workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                if lo < hi { body(w, lo..<hi) }
            }
        }
        return workers
    }
}

extension Parallel {
    /// The blocks `forBlocks` cuts `0..<count` into: `size` items each (the last one shorter).
    package struct Blocks: Sendable, Equatable {
        /// Items in all, and items per block.
        package let count: Int, size: Int
        /// Number of blocks.
        package var blockCount: Int { (count + size - 1) / size }
        /// The items of block `b`.
        package func range(_ b: Int) -> Range<Int> { b * size..<min(count, (b + 1) * size) }
    }

    /// Rows per block for a row reduction over `rows` rows: at least `minimum`, and at most `maximumBlocks`
    /// blocks. Depends on `rows` alone, never on the thread count, so partial sums per block are the same
    /// whatever the number of workers.
    package static func rowBlocks(_ rows: Int, minimum: Int = 32, maximumBlocks: Int = 256) -> Blocks {
        Blocks(count: rows, size: max(minimum, (rows + maximumBlocks - 1) / maximumBlocks))
    }

    /// Calls `body(block, range)` for every block of `blocks`, in parallel, whole blocks dealt to the
    /// workers. Where each block writes its own partial result and the partials are added in block
    /// order afterwards, the sum has the same bits for any thread count: the split is fixed by the shape,
    /// only which thread computes a block changes.
    @inlinable
    package static func forBlocks(_ blocks: Blocks, costPerItem: Int = 1, minimumWork: Int = 32_768,
                                  _ body: (Int, Range<Int>) -> Void) {
        forRanges(blocks.blockCount, costPerItem: blocks.size * costPerItem, minimumWork: minimumWork) { range in
            for b in range { body(b, blocks.range(b)) }
        }
    }
}

extension Parallel {
    nonisolated(unsafe) private static var pool: WorkerPool?

    /// Starts the persistent workers for `threadCount` (called by `Runtime.configure`, before any kernel).
    static func startPool() {
        if threadCount > 1 && pool?.workers != threadCount {
            pool?.retire()
            pool = WorkerPool(workers: threadCount)
        }
    }

    /// Runs `task(w)` for w in 0..<workers on the persistent pool, waiting for its turn behind other
    /// callers; inline, one worker after another, when called from inside a pool job (a nested loop);
    /// through `DispatchQueue.concurrentPerform` before `Runtime.configure` has started the pool.
    @usableFromInline
    static func dispatch(_ workers: Int, _ task: @escaping (Int) -> Void) {
        if WorkerPool.isInsideJob {
            for w in 0..<workers { task(w) }
        } else if let pool, workers <= pool.workers {
            pool.run(workers: workers, task)
        } else {
            nonisolated(unsafe) let task = task
            DispatchQueue.concurrentPerform(iterations: workers) { task($0) }
        }
    }
}

/// Facts about the machine the process runs on.
package enum System {
    /// Cores available to this process.
    package static var coreCount: Int {
        #if os(Linux)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return ProcessInfo.processInfo.activeProcessorCount
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if !os(Linux)
import Foundation
#endif
