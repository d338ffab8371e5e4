import ClusterCore
import ClusterTransport
import Foundation
import Synchronization
import Wire

/// The learner's answers to an operator's control commands (`rlhf status`, `checkpoint`, `stop`,
/// `drain`), given at once on the transport's receive task: a checkpoint or a stop is taken by the run
/// loop after the iteration in progress (as SIGUSR1 and SIGTERM are), and a drain goes to the worker
/// straight away (it answers `draining`, finishes what it holds, and the learner stops it).
final class OperatorDesk: Sendable {
    private struct State {
        var checkpoint = false, stop = false
        var iteration = 0
    }

    private let state = Mutex(State())
    private let iterations: Int
    private let transport: ZMQLearnerTransport

    /// A desk for a run of `iterations` over `transport`.
    init(iterations: Int, transport: ZMQLearnerTransport) {
        self.iterations = iterations
        self.transport = transport
    }

    /// Iterations done so far (for `status` and the answers' wording).
    func progressed(to done: Int) { state.withLock { $0.iteration = done } }

    /// The operator's pending requests, the checkpoint one cleared (the stop stays).
    func take() -> PPORunRequests {
        state.withLock { state in
            defer { state.checkpoint = false }
            return PPORunRequests(checkpoint: state.checkpoint, stop: state.stop)
        }
    }

    /// The answer to `request`.
    func answer(_ request: OperatorRequest) -> OperatorAnswer {
        func done(_ message: String, status: String = "") -> OperatorAnswer {
            OperatorAnswer(id: request.id, done: true, message: message, status: status)
        }
        switch request.action {
        case .status:
            let iteration = state.withLock { $0.iteration }
            return done("iteration \(iteration) of \(iterations)", status: statusJSON(iteration: iteration))
        case .checkpoint:
            let iteration = state.withLock { state in
                state.checkpoint = true
                return state.iteration
            }
            return done("a checkpoint after iteration \(iteration + 1) of \(iterations)")
        case .stop:
            let iteration = state.withLock { state in
                state.checkpoint = true
                state.stop = true
                return state.iteration
            }
            return done("a checkpoint after iteration \(iteration + 1) of \(iterations), then the run stops (continue it with --resume)")
        case let .drain(name):
            guard let worker = transport.worker(named: name) else {
                return OperatorAnswer(id: request.id, done: false, message: "refused: no worker \(name) is registered now")
            }
            do { try transport.send(.drain, to: worker) } catch {
                return OperatorAnswer(id: request.id, done: false, message: "refused: \(name) (\(worker)) cannot be reached: \(error)")
            }
            return done("draining \(name) (\(worker)): it takes no new work, finishes what it holds, then the learner stops it")
        }
    }

    /// The run's state for `status`: the iteration and the workers registered by role.
    private func statusJSON(iteration: Int) -> String {
        var workers: [String: Int] = [:]
        for role in WorkerRole.allCases { workers[role.rawValue] = transport.registered(role) }
        let object: [String: Any] = ["iteration": iteration, "iterations": iterations, "workers": workers]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
