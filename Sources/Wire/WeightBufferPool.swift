import Foundation

/// One spare buffer of floats for weight assembly: a generator's next version is written into the pages
/// of the one it installed (and released) before, not into freshly faulted ones. It keeps at most one
/// buffer, so a generator holds at most one version's worth of memory beyond its model, as it does
/// while a stream is being assembled anyway.
package final class WeightBufferPool: @unchecked Sendable {
    private let lock = NSLock()
    private var spare: UnsafeMutableBufferPointer<Float>?

    /// An empty pool.
    package init() {}

    /// The spare buffer if it holds exactly `count` floats (it then leaves the pool).
    func take(count: Int) -> UnsafeMutableBufferPointer<Float>? {
        lock.withLock {
            guard let buffer = spare, buffer.count == max(count, 1) else { return nil }
            spare = nil
            return buffer
        }
    }

    /// Keeps `buffer` as the spare (the one it replaces is freed).
    func giveBack(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let old = lock.withLock { () -> UnsafeMutableBufferPointer<Float>? in
            defer { spare = buffer }
            return spare
        }
        old?.deallocate()
    }

    deinit { spare?.deallocate() }
}
