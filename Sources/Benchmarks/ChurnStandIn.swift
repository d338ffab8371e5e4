import ClusterCore
import ClusterTransport
import Synchronization
import Wire

/// How a stand-in leaves the run in the churn bench.
package enum Departure: String, Sendable, CaseIterable {
    /// Gracefully: it says it drains (`READY` credit 0), answers what it holds, and waits for `STOP`.
    case drain
    /// Abruptly: its socket closes without a word; the learner notices when its heartbeats stop.
    case disconnect
}

/// A `CannedWorker` that can leave (`Departure`), for the churn bench. Once it has left as the learner
/// sees it (it was sent `STOP`), it keeps listening for `linger` and counts, without answering, every
/// lease that still reaches it: the learner's bug, 0 when it is right. Leases that reach it after it
/// said it drains but before `STOP` (sent before the learner read its `READY`) are answered and counted
/// apart: they are allowed.
final class ChurnStandIn: Sendable {
    /// What one stand-in saw.
    struct Counts: Sendable, Equatable {
        /// Leases answered, leases that reached it while draining, and leases after `STOP`.
        var answered = 0, whileDraining = 0, afterLeft = 0
        /// It drained and was never sent `STOP` within the wait.
        var neverStopped = 0
    }

    private struct State: Sendable {
        var counts = Counts()
        var draining = false, stopped = false
    }

    let worker: CannedWorker
    let transport: ZMQWorkerTransport
    private let state = Mutex(State())

    /// A stand-in over `transport` (welcomed already), answering as `worker` does.
    init(_ worker: CannedWorker, transport: ZMQWorkerTransport) {
        self.worker = worker
        self.transport = transport
    }

    /// Its role.
    var role: WorkerRole { worker.role }

    /// What it saw so far.
    var counts: Counts { state.withLock { $0.counts } }

    /// Says hello, then answers messages until its transport closes.
    func run() async {
        guard (try? transport.send(.hello(worker.role))) != nil else { return }
        for await message in transport.incoming {
            switch message {
            case .rollout, .score, .reference:
                let gone = state.withLock { state -> Bool in
                    if state.stopped { state.counts.afterLeft += 1; return true }
                    if state.draining { state.counts.whileDraining += 1 }
                    state.counts.answered += 1
                    return false
                }
                if gone { continue }
            case .stop:
                state.withLock { $0.stopped = true }
                continue
            default: break
            }
            if let reply = worker.reply(to: message) { try? transport.send(reply) }
        }
    }

    /// Leaves as `how` says: drains and waits up to `stopWithin` for `STOP`, then listens for `linger`
    /// before it closes; or closes at once.
    func leave(_ how: Departure, stopWithin: Duration = .seconds(60), linger: Duration) async {
        switch how {
        case .disconnect:
            await transport.close()
        case .drain:
            state.withLock { $0.draining = true }
            try? transport.send(.draining)
            let deadline = ContinuousClock.now + stopWithin
            while !state.withLock({ $0.stopped }), !Task.isCancelled {
                guard ContinuousClock.now < deadline else {
                    state.withLock { $0.counts.neverStopped += 1 }
                    break
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            try? await Task.sleep(for: linger)
            await transport.close()
        }
    }
}
