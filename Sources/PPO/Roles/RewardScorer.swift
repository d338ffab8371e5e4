import ClusterCore
import Dispatch
import Wire

/// A reward scorer: one score per sequence from its `RewardFunction`.
package actor RewardScorer {
    private let reward: any RewardFunction
    private let transport: any WorkerTransport

    /// A scorer of `reward` on `transport`.
    package init(reward: any RewardFunction, transport: any WorkerTransport) {
        self.reward = reward
        self.transport = transport
    }

    /// Says hello, then answers messages until `stop` or the transport closes.
    package func run() async {
        await RequestServing.serve(.reward, transport: transport, take: { message in
            if case let .score(request) = message { return request }
            return nil
        }, answer: { answer($0) })
    }

    private func answer(_ request: SequenceRequest) -> WorkerMessage {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let scores = try reward.scores(queries: request.queries, responses: request.responses)
            return .scores(ScoreResult(id: request.id, scores: scores,
                                       seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        } catch {
            return .failed(task: request.id, reason: "\(error)")
        }
    }
}
