import CKernelSupport
import Foundation
import Synchronization

/// Persistent worker threads for `Parallel`: helpers spin for a short while after each job before they
/// sleep, so the ~150 kernels of a decoding step hand work over in well under a microsecond instead of
/// waking a thread each time. Only one caller at a time uses the pool; a concurrent caller falls back to
/// `DispatchQueue.concurrentPerform`.
final class WorkerPool: @unchecked Sendable {
    /// Number of workers, the calling thread included.
    let workers: Int
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private var job: ((Int) -> Void)?
    private let sleep = NSCondition()
    /// Spins (each a `pause`) before a helper sleeps: about 100 µs.
    private static let spinLimit = 40_000

    /// Starts `workers − 1` helper threads.
    init(workers: Int) {
        self.workers = workers
        for index in 1..<max(workers, 1) {
            let thread = Thread { [unowned self] in self.helperLoop(index: index) }
            thread.name = "rlhf-worker-\(index)"
            thread.start()
        }
    }

    /// Runs `body(worker)` for worker 0..<workers, the caller being worker 0; returns when all are done.
    /// Returns false (without running anything) when another thread is using the pool.
    func run(_ body: @escaping (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        job = body
        finished.store(0, ordering: .relaxed)
        sleep.lock()
        generation.add(1, ordering: .releasing)
        sleep.broadcast()
        sleep.unlock()
        body(0)
        while finished.load(ordering: .acquiring) < workers - 1 { rlhf_cpu_relax() }
        job = nil
        busy.store(false, ordering: .releasing)
        return true
    }

    private func helperLoop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Self.spinLimit { rlhf_cpu_relax(); continue }
                sleep.lock()
                while generation.load(ordering: .acquiring) == seen { sleep.wait() }
                sleep.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            job?(index)
            finished.add(1, ordering: .releasing)
        }
    }
}
