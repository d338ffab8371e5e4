import ClusterCore
import Wire

/// The message loop of a worker that answers one kind of `SequenceRequest` (the reward scorer's score
/// requests, the reference worker's reference requests): hello, then each request answered in order,
/// any other work refused with a `failed` reply, weights ignored, until `stop` or the transport closes.
enum RequestServing {
    /// Serves `transport` as `role`; `take` picks the role's requests out of the learner's messages.
    static func serve(_ role: WorkerRole, transport: any WorkerTransport, isolation: isolated (any Actor)? = #isolation,
                      take: (LearnerMessage) -> SequenceRequest?, answer: (SequenceRequest) -> WorkerMessage) async {
        guard (try? transport.send(.hello(role))) != nil else { return }
        for await message in transport.incoming {
            let reply: WorkerMessage
            if let request = take(message) {
                reply = answer(request)
            } else {
                switch message {
                case let .rollout(task): reply = .failed(task: task.id, reason: "a \(role) worker takes \(role) requests only")
                case let .score(request), let .reference(request):
                    reply = .failed(task: request.id, reason: "a \(role) worker takes \(role) requests only")
                case .weights: continue
                case .stop: return
                case .drain: reply = .draining
                }
            }
            if (try? transport.send(reply)) == nil { return }
        }
    }
}
