import ClusterCore
import PPO
import Wire

/// A generator's install of a weights message, as a stand-in worker reports it to the transport bench.
package struct WeightInstall: Sendable {
    /// The stand-in's index among the bench's workers.
    var worker: Int
    /// The version installed.
    var version: Int
    /// When its transport had delivered the assembled, checksum-verified weights and the stand-in had
    /// checked them against its layout.
    var at: ContinuousClock.Instant
    /// Why the weights do not fit the layout (nil: they do).
    var problem: String?
}

/// A stand-in worker of one role for `rlhf bench transport`: it says hello and answers every lease at
/// once with a valid canned result that fits the request (one row per prompt, the task's token counts),
/// so the learner's coordination and the transport are all that costs time. A rollout stand-in takes
/// weights as `RolloutGenerator` does once its transport has assembled and verified them: it checks the
/// message against its layout and answers `installed` (or `refused`), telling `report`.
package struct CannedWorker: Sendable {
    /// The stand-in's index among the bench's workers.
    let index: Int
    /// Its role.
    let role: WorkerRole
    /// Its transport (for a rollout stand-in, `expectWeights(layout:)` already called with `layout`).
    let transport: any WorkerTransport
    /// The tensors a rollout stand-in expects.
    let layout: [WeightTensor]
    /// Hears of every weights message taken.
    let report: @Sendable (WeightInstall) -> Void

    /// A stand-in numbered `index` of `role` on `transport`.
    package init(index: Int, role: WorkerRole, transport: any WorkerTransport, layout: [WeightTensor],
                 report: @escaping @Sendable (WeightInstall) -> Void = { _ in }) {
        self.index = index; self.role = role; self.transport = transport; self.layout = layout; self.report = report
    }

    /// Says hello, then answers messages until `stop` or the transport closes.
    package func run() async {
        guard (try? transport.send(.hello(role))) != nil else { return }
        for await message in transport.incoming {
            guard let reply = reply(to: message) else { return }
            if (try? transport.send(reply)) == nil { return }
        }
    }

    /// The answer to `message` (nil: `stop`).
    func reply(to message: LearnerMessage) -> WorkerMessage? {
        switch message {
        case let .weights(weights): install(weights)
        case let .rollout(task): .rollout(Self.rollout(for: task))
        case let .score(request):
            .scores(Wire.ScoreResult(id: request.id, scores: Array(repeating: 0.5, count: request.queries.count)))
        case let .reference(request):
            .reference(ReferenceResult(id: request.id, logProbs: request.responses.map { Array(repeating: -1, count: $0.count) }))
        case .stop: nil
        case .drain: .draining
        }
    }

    /// Checks `weights` as a generator does before it uploads them.
    private func install(_ weights: PolicyWeights) -> WorkerMessage {
        var problem: String?
        do {
            try weights.validate()
            if weights.tensors != layout { problem = "its tensors do not match this generator's layout" }
        } catch {
            problem = error.description
        }
        report(WeightInstall(worker: index, version: weights.version, at: .now, problem: problem))
        return problem.map { .refused(version: weights.version, reason: $0) } ?? .installed(version: weights.version)
    }

    /// A rollout that fits `task`: `maxNewTokens` tokens per prompt row, with log-probs.
    static func rollout(for task: RolloutTask) -> Rollout {
        let tokens = max(1, task.sampling.maxNewTokens)
        return Rollout(id: task.id, policyVersion: task.policyVersion,
                       responses: Array(repeating: Array(repeating: 1, count: tokens), count: task.prompts.count),
                       logProbs: Array(repeating: Array(repeating: -1, count: tokens), count: task.prompts.count),
                       stopped: Array(repeating: false, count: task.prompts.count))
    }
}
