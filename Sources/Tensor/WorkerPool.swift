import CKernelSupport
import Foundation
import Synchronization

/// Persistent worker threads for `Parallel`, shared by every caller in the process: one compute queue.
///
/// Helpers spin for a short while after each job before they sleep, so the ~150 kernels of a decoding
/// step hand work over in well under a microsecond instead of waking a thread each time. Callers from
/// different threads (the policy, reference, reward and critic actors of the embedded run) take turns:
/// each parallel loop runs on all the cores, one loop at a time, so the process never runs more compute
/// threads than it has workers. A loop started from inside a pool job (a nested loop) runs inline on
/// the thread that started it.
final class WorkerPool: @unchecked Sendable {
    /// Number of workers, the calling thread included.
    let workers: Int
    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    /// Workers that take part in the current job (the others finish at once).
    private let active = Atomic<Int>(0)
    /// Set by `retire`: helpers leave their loop at the next wake-up.
    private let retiring = Atomic<Bool>(false)
    private var job: ((Int) -> Void)?
    private let sleep = NSCondition()
    /// Held by the caller whose loop is running: the queue the other callers wait in.
    private let turn = NSLock()
    /// Spins (each a `pause`) before a helper sleeps: about 100 µs.
    private static let spinLimit = 40_000
    /// Spins before a waiting thread yields its core at every further try (and every so many spins of
    /// a helper's wait): where processes share cores (roles of a cluster on one host), a spinning
    /// thread must not hold a core that the thread it waits for, or another process's, needs.
    private static let yieldAfter = 2_000

    /// Starts `workers − 1` helper threads (each holds the pool until it is retired).
    init(workers: Int) {
        self.workers = workers
        for index in 1..<max(workers, 1) {
            let thread = Thread { [self] in
                InsidePoolJob.mark()
                self.helperLoop(index: index)
            }
            thread.name = "rlhf-worker-\(index)"
            thread.start()
        }
    }

    /// Ends the helper threads (when the thread count changes): each leaves its loop at its next
    /// wake-up, and the pool goes once the last one has. Call it with no job running.
    func retire() {
        retiring.store(true, ordering: .releasing)
        sleep.lock()
        generation.add(1, ordering: .releasing)
        sleep.broadcast()
        sleep.unlock()
    }

    /// Whether the current thread is running a pool job (a helper, or a caller inside `run`).
    static var isInsideJob: Bool { InsidePoolJob.isSet }

    /// Runs `body(worker)` for worker 0..<count (count ≤ `workers`), the caller being worker 0; returns
    /// when all are done. Waits for its turn while another thread's loop runs.
    func run(workers count: Int, _ body: @escaping (Int) -> Void) {
        turn.lock()
        defer { turn.unlock() }
        InsidePoolJob.set(true)
        defer { InsidePoolJob.set(false) }
        job = body
        active.store(count, ordering: .relaxed)
        finished.store(0, ordering: .relaxed)
        sleep.lock()
        generation.add(1, ordering: .releasing)
        sleep.broadcast()
        sleep.unlock()
        body(0)
        var spins = 0
        while finished.load(ordering: .acquiring) < workers - 1 {
            spins += 1
            // a helper that is not done may have lost its core (another process computes too): let it run
            if spins < Self.yieldAfter { rlhf_cpu_relax() } else { sched_yield() }
        }
        job = nil
    }

    private func helperLoop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Self.spinLimit {
                    if spins % Self.yieldAfter == 0 { sched_yield() } else { rlhf_cpu_relax() }
                    continue
                }
                sleep.lock()
                while generation.load(ordering: .acquiring) == seen { sleep.wait() }
                sleep.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            if retiring.load(ordering: .acquiring) { return }
            if index < active.load(ordering: .acquiring) { job?(index) }
            finished.add(1, ordering: .releasing)
        }
    }
}

/// A per-thread flag: set while the thread runs a pool job, so nested loops run inline.
enum InsidePoolJob {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the flag is set on this thread.
    static var isSet: Bool { pthread_getspecific(key) != nil }

    /// Sets or clears the flag on this thread.
    static func set(_ on: Bool) { pthread_setspecific(key, on ? UnsafeRawPointer(bitPattern: 1) : nil) }

    /// Marks a helper thread for its whole life.
    static func mark() { set(true) }
}
