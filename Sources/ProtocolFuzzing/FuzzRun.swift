import ClusterCore
import Wire

/// The fixed run the fuzzed sessions belong to, and the invariants every frame keeps.
enum FuzzRun {
    /// The generator's layout: two small tensors (68 bytes, one chunk).
    static let layout = [WeightTensor(name: "embed.weight", shape: [4, 3]), WeightTensor(name: "norm.weight", shape: [5])]

    /// The client keys (stand-ins for Z85 keys): three workers' and the operator's.
    static let keys = ["key-rollout-1", "key-reward-1", "key-reference-1", "key-operator"]
    /// The keys with operator rights.
    static let operatorKeys: Set<String> = ["key-operator"]
    static let clientNames = ["key-rollout-1": "rollout-1", "key-reward-1": "reward-1", "key-reference-1": "reference-1"]

    /// The incarnation of the fuzzed learner.
    static let incarnation: UInt64 = 0x5EED_0F_F022

    /// What the learner tells workers.
    static let welcome = LearnerSession.WelcomeInfo(runSeed: 7, runConfig: "seed: 7\n", overrides: ["iterations=2"],
                                                    digest: Array(repeating: 0xAB, count: 32))

    /// Version `version` of the policy: values that differ by version.
    static func weights(version: Int) -> PolicyWeights {
        let count = layout.reduce(0) { $0 + $1.count }
        return PolicyWeights(version: version, replaces: version > 1 ? version - 1 : nil, tensors: layout,
                             values: WeightValues((0..<count).map { Float($0) * 0.5 + Float(version) }))
    }

    /// The rollout tasks of round `iteration`, sampled with `version`.
    static func tasks(iteration: Int, version: Int) -> [RolloutTask] {
        (0..<2).map { index in
            RolloutTask(id: TaskID(iteration: iteration, index: index, incarnation: incarnation), policyVersion: version,
                        prompts: [[1, 2], [3]], seed: UInt64(iteration * 100 + index),
                        sampling: SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: 4, stopTokens: [0]))
        }
    }

    /// A message its sender built: it must encode, and decode to what encodes the same again.
    static func transmitted(_ message: WireMessage, header: WireHeader, by sender: WirePeer) -> [String] {
        do {
            let frames = try WireCodec.encode(message, header: header)
            return stable(frames, from: sender)
        } catch {
            return ["the \(sender) built a \(message.kind) that does not encode: \(error)"]
        }
    }

    /// A message decoded from a peer's frames: it must keep the codec's shape rules, encode again, and
    /// stay the same through another decoding (compared as bytes, so a NaN compares equal to itself).
    static func roundTrip(_ envelope: WireEnvelope, from sender: WirePeer) -> [String] {
        let shape = malformed(envelope.message)
        if !shape.isEmpty { return shape.map { "a decoded \(envelope.message.kind) \($0)" } }
        do {
            return stable(try WireCodec.encode(envelope.message, header: envelope.header), from: sender)
        } catch {
            return ["a decoded \(envelope.message.kind) does not encode again: \(error)"]
        }
    }

    /// How `message` breaks the rules every decoded message keeps (PROTOCOL.md section 3): rows that
    /// match, at most `rowLimit` of them, ids and versions not negative, a chunk not empty.
    static func malformed(_ message: WireMessage) -> [String] {
        func rows(_ counts: [Int], _ what: String) -> [String] {
            guard let first = counts.first else { return [] }
            if counts.contains(where: { $0 != first }) { return ["has \(what) rows of different counts \(counts)"] }
            return first > WireProtocol.rowLimit ? ["has \(first) rows"] : []
        }
        func id(_ task: TaskID) -> [String] { task.iteration < 0 || task.index < 0 ? ["has task id \(task)"] : [] }
        switch message {
        case let .rolloutTask(task):
            return id(task.id) + rows([task.prompts.count], "prompt") + (task.policyVersion < 0 ? ["has version \(task.policyVersion)"] : [])
        case let .rollout(rollout):
            let lengths = zip(rollout.responses, rollout.logProbs).allSatisfy { $0.count == $1.count }
            return id(rollout.id) + rows([rollout.responses.count, rollout.logProbs.count, rollout.stopped.count], "response")
                + (lengths ? [] : ["has log-prob rows that do not match its responses"])
        case let .scoreRequest(request), let .referenceRequest(request):
            return id(request.id) + rows([request.queries.count, request.responses.count], "query and response")
        case let .scoreResult(result): return id(result.id) + rows([result.scores.count], "score")
        case let .referenceResult(result): return id(result.id) + rows([result.logProbs.count], "log-prob")
        case let .weightsChunk(chunk): return chunk.bytes.isEmpty || chunk.byteOffset < 0 ? ["is empty or at byte \(chunk.byteOffset)"] : []
        case let .weightsRequest(request):
            return request.version < 0 || request.byteOffset < 0 ? ["asks for v\(request.version) at byte \(request.byteOffset)"] : []
        case let .taskFailed(task, _): return id(task)
        case let .operatorRequest(request):
            if case let .drain(worker) = request.action, !OperatorRequest.isWorkerName(worker) { return ["drains \"\(worker.prefix(40))\""] }
            return []
        case let .operatorAnswer(answer):
            return answer.message.contains("\n") || answer.message.utf8.count > OperatorAnswer.messageLimit ? ["is not one line"] : []
        default: return []
        }
    }

    private static func stable(_ frames: [[UInt8]], from sender: WirePeer) -> [String] {
        do {
            let again = try WireCodec.decode(frames: frames, from: sender)
            let framesAgain = try WireCodec.encode(again.message, header: again.header)
            return framesAgain == frames ? [] : ["a \(again.message.kind) changed through decoding and encoding"]
        } catch {
            return ["a \(sender)'s encoded frames do not decode: \(error)"]
        }
    }
}
