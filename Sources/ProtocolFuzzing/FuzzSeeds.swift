import ClusterCore
import Wire

/// Seed inputs for the fuzzer: whole sessions as they go when nothing is wrong (three workers register,
/// take a round's work and answer it; a generator is welcomed, streams weights and is welcomed again),
/// and every message kind alone in both directions. `make fuzz` starts from these and the committed
/// corpus; the corpus replay test runs them too.
package enum FuzzSeeds {
    /// The seeds, by name.
    package static func all() -> [(name: String, bytes: [UInt8])] {
        var seeds = [("learner-round", learnerRound()), ("worker-stream", workerStream())]
        for (index, message) in everyKind().enumerated() {
            let frames = try! WireCodec.encode(message, header: WireHeader(worker: 1, sequence: 1))
            let toLearner = message.kind.isSent(by: .worker), key = message.kind == .operatorRequest ? 3 : 0
            seeds.append(("kind-\(index)-\("\(message.kind)".lowercased())", FuzzSteps.encode([toLearner ? .toLearner(peer: 0, key: key, frames: frames)
                                                                                     : .toWorker(frames: frames)])))
        }
        return seeds
    }

    private static func frames(_ message: WireMessage, worker: UInt32 = 1, sequence: UInt64 = 1) -> [[UInt8]] {
        try! WireCodec.encode(message, header: WireHeader(worker: worker, sequence: sequence))
    }

    /// Three workers register and become ready, a round begins, and each answers its part of task 0.
    private static func learnerRound() -> [UInt8] {
        let task = FuzzRun.tasks(iteration: 1, version: 1)[0]
        let responses: [[Int]] = [[5, 6], [7]]
        let roles: [WorkerRole] = [.rollout, .reward, .reference]
        var steps: [FuzzSteps.Step] = []
        for (peer, role) in roles.enumerated() {
            steps.append(.toLearner(peer: peer, key: peer, frames: frames(.register(Register(
                role: role, host: "fuzz", pid: 10 + peer, device: "cpu", capabilities: WorkerCapabilities(maxRowsPerTask: 64, backends: ["cpu"]))))))
            steps.append(.toLearner(peer: peer, key: peer, frames: frames(.ready(Ready(credit: 1)), worker: UInt32(peer + 1), sequence: 2)))
        }
        steps.append(.learner(.beginRound))
        steps.append(.toLearner(peer: 0, key: 0, frames: frames(.weightsRequest(WeightsRequest(version: 1, byteOffset: 0, credit: 4)), sequence: 3)))
        steps.append(.toLearner(peer: 0, key: 0, frames: frames(.weightsInstalled(version: 1), sequence: 4)))
        steps.append(.toLearner(peer: 0, key: 0, frames: frames(.rollout(Rollout(
            id: task.id, policyVersion: 1, responses: responses, logProbs: [[-1, -2], [-0.5]], stopped: [true, false], seconds: 0.1)), sequence: 5)))
        steps.append(.toLearner(peer: 1, key: 1, frames: frames(.scoreResult(ScoreResult(id: task.id, scores: [0.5, -0.25], seconds: 0.1)),
                                                               worker: 2, sequence: 3)))
        steps.append(.toLearner(peer: 2, key: 2, frames: frames(.referenceResult(ReferenceResult(id: task.id, logProbs: [[-1.5, -2], [-0.25]])),
                                                               worker: 3, sequence: 3)))
        steps.append(.toLearner(peer: 0, key: 0, frames: frames(.taskFailed(task: FuzzRun.tasks(iteration: 1, version: 1)[1].id,
                                                                            reason: "out of memory"), sequence: 6)))
        steps.append(.tick(seconds: 1.5))
        steps.append(.toLearner(peer: 1, key: 1, frames: frames(.heartbeat, worker: 2, sequence: 4)))
        steps.append(.learner(.drainFirst))
        steps.append(.toLearner(peer: 0, key: 0, frames: frames(.ready(Ready(credit: 0)), sequence: 7)))
        steps.append(.tick(seconds: 4))
        steps.append(.learner(.stopFirst))
        return FuzzSteps.encode(steps)
    }

    /// A generator is welcomed, streams version 1 in one chunk, takes a task, loses the learner, and is
    /// welcomed again.
    private static func workerStream() -> [UInt8] {
        let stream = WeightStreamSource(FuzzRun.weights(version: 1))
        let chunk = stream.withChunk(at: 0) { Array($0) }!
        let welcome = Welcome(worker: 1, heartbeatMilliseconds: 1000, runSeed: 7, policyVersion: 0,
                              configDigest: FuzzRun.welcome.digest, runConfig: FuzzRun.welcome.runConfig,
                              configOverrides: FuzzRun.welcome.overrides)
        return FuzzSteps.encode([
            .toWorker(frames: frames(.welcome(welcome))),
            .toWorker(frames: frames(.weightsManifest(stream.manifest), sequence: 2)),
            .toWorker(frames: frames(.weightsChunk(WeightsChunk(version: 1, byteOffset: 0, bytes: chunk)), sequence: 3)),
            .toWorker(frames: frames(.rolloutTask(FuzzRun.tasks(iteration: 1, version: 1)[0]), sequence: 4)),
            .tick(seconds: 1),
            .toWorker(frames: frames(.heartbeat, sequence: 5)),
            .tick(seconds: 4),
            .toWorker(frames: frames(.welcome(welcome), worker: 2, sequence: 6)),
            .toWorker(frames: frames(.control(.drain), worker: 2, sequence: 7)),
            .toWorker(frames: frames(.control(.stop), worker: 2, sequence: 8)),
        ])
    }

    /// One valid message of every kind.
    private static func everyKind() -> [WireMessage] {
        let task = FuzzRun.tasks(iteration: 1, version: 1)[0]
        let request = SequenceRequest(id: task.id, queries: task.prompts, responses: [[5, 6], [7]], temperature: 1)
        let stream = WeightStreamSource(FuzzRun.weights(version: 1))
        return [
            .register(Register(role: .reward, host: "fuzz", pid: 3, device: "cpu", capabilities: WorkerCapabilities(maxRowsPerTask: 8, backends: ["cpu"]))),
            .welcome(Welcome(worker: 1, heartbeatMilliseconds: 1000, runSeed: 7, policyVersion: 0, configDigest: FuzzRun.welcome.digest)),
            .heartbeat, .ready(Ready(credit: 1)), .rolloutTask(task),
            .rollout(Rollout(id: task.id, policyVersion: 1, responses: [[5, 6], [7]], logProbs: [[-1, -2], [-0.5]], stopped: [true, false])),
            .scoreRequest(request), .scoreResult(ScoreResult(id: task.id, scores: [0.5, -0.25])), .referenceRequest(request),
            .referenceResult(ReferenceResult(id: task.id, logProbs: [[-1, -2], [-0.5]])),
            .weightsManifest(stream.manifest), .weightsChunk(WeightsChunk(version: 1, byteOffset: 0, bytes: [1, 2, 3, 4])),
            .weightsRequest(WeightsRequest(version: 1, byteOffset: 0, credit: 4)), .weightsInstalled(version: 1),
            .weightsRefused(version: 1, reason: "no"), .taskFailed(task: task.id, reason: "no"), .control(.drain),
            .metrics(Metrics(iteration: 1, values: ["objective/kl": 0.5])),
            .operatorRequest(OperatorRequest(id: 7, action: .drain(worker: "reward-1"))),
            .operatorRequest(OperatorRequest(id: 8, action: .scale(role: .rollout, count: -1, relative: true))),
            .operatorRequest(OperatorRequest(id: 9, action: .admit(worker: "rollout-5", publicKey: String(repeating: "a", count: 40)))),
            .monitorUpdate(MonitorUpdate(sequence: 1, json: "{}")),
            .operatorAnswer(OperatorAnswer(id: 7, done: true, message: "draining reward-1", status: "{\"iteration\": 3}")),
        ]
    }
}
