/// How a rollout generator samples: the settings of `SamplingParameters` that travel with a task.
package struct SamplingSettings: Sendable, Equatable {
    /// Temperature (> 0), top-k (0 = all), top-p (1 = all), min-p (0 = none).
    package var temperature: Float, topK: Int, topP: Float, minP: Float
    /// Most new tokens per response.
    package var maxNewTokens: Int
    /// Tokens that end a response (kept in it).
    package var stopTokens: [Int]

    /// Creates settings.
    package init(temperature: Float, topK: Int, topP: Float, minP: Float, maxNewTokens: Int, stopTokens: [Int]) {
        self.temperature = temperature; self.topK = topK; self.topP = topP; self.minP = minP
        self.maxNewTokens = maxNewTokens; self.stopTokens = stopTokens
    }
}

/// A rollout task leased to a generator: prompts to continue with policy `policyVersion`.
package struct RolloutTask: Sendable, Equatable {
    /// The task.
    package var id: TaskID
    /// The policy version to sample with (a generator holding an older one waits for the weights).
    package var policyVersion: Int
    /// Prompt token ids, one row per sample (a prompt repeats for k samples per prompt).
    package var prompts: [[Int]]
    /// The task's sampling seed (`TaskID.seed(runSeed:)`): row r draws from its own stream of it.
    package var seed: UInt64
    /// Sampling settings.
    package var sampling: SamplingSettings

    /// Creates a task.
    package init(id: TaskID, policyVersion: Int, prompts: [[Int]], seed: UInt64, sampling: SamplingSettings) {
        self.id = id; self.policyVersion = policyVersion; self.prompts = prompts; self.seed = seed; self.sampling = sampling
    }
}

/// A generator's answer: one response per prompt row, with the behaviour log-probs it sampled them with.
package struct Rollout: Sendable, Equatable {
    /// The task answered.
    package var id: TaskID
    /// The policy version the responses were sampled with.
    package var policyVersion: Int
    /// Response token ids per row.
    package var responses: [[Int]]
    /// log p of each response token under the distribution sampled from, per row.
    package var logProbs: [[Float]]
    /// Whether each row ended with a stop token (else it hit the length limit).
    package var stopped: [Bool]
    /// Seconds the generator computed for it (`time/generate`).
    package var seconds: Double

    /// Creates a rollout.
    package init(id: TaskID, policyVersion: Int, responses: [[Int]], logProbs: [[Float]], stopped: [Bool], seconds: Double = 0) {
        self.id = id; self.policyVersion = policyVersion; self.responses = responses; self.logProbs = logProbs
        self.stopped = stopped; self.seconds = seconds
    }
}

/// Sequences to score (reward scorer) or to take reference log-probs of (reference worker).
package struct SequenceRequest: Sendable, Equatable {
    /// The task the sequences belong to.
    package var id: TaskID
    /// Prompt ids per row (the policy's tokenizer).
    package var queries: [[Int]]
    /// Response ids per row.
    package var responses: [[Int]]
    /// The sampling temperature (reference log-probs are of softmax(logits / T)).
    package var temperature: Float
    /// The rows as text, for a reward worker that scores text (`WorkerCapabilities.scoreTexts`); nil otherwise.
    package var texts: SequenceTexts?

    /// Creates a request.
    package init(id: TaskID, queries: [[Int]], responses: [[Int]], temperature: Float, texts: SequenceTexts? = nil) {
        self.id = id; self.queries = queries; self.responses = responses; self.temperature = temperature; self.texts = texts
    }
}

/// A reward scorer's answer: one score per row.
package struct ScoreResult: Sendable, Equatable {
    /// The task.
    package var id: TaskID
    /// Scores per row.
    package var scores: [Float]
    /// Seconds the scorer computed for it (`time/score`).
    package var seconds: Double

    /// Creates a result.
    package init(id: TaskID, scores: [Float], seconds: Double = 0) { self.id = id; self.scores = scores; self.seconds = seconds }
}

/// A reference worker's answer: log p_ref of each response token, per row.
package struct ReferenceResult: Sendable, Equatable {
    /// The task.
    package var id: TaskID
    /// Reference log-probs per row, one per response token.
    package var logProbs: [[Float]]
    /// Seconds the reference worker computed for it (`time/reference`).
    package var seconds: Double

    /// Creates a result.
    package init(id: TaskID, logProbs: [[Float]], seconds: Double = 0) {
        self.id = id; self.logProbs = logProbs; self.seconds = seconds
    }
}

/// Something wrong with a message: what and which task.
package enum MessageError: Error, Equatable, CustomStringConvertible {
    /// Rows that do not line up (e.g. responses and log-probs of different counts).
    case shape(task: TaskID, what: String)
    /// A weights message whose manifest and values disagree, or that does not fit the receiver's model.
    case weights(version: Int, what: String)

    package var description: String {
        switch self {
        case let .shape(task, what): "task \(task): \(what)"
        case let .weights(version, what): "policy weights v\(version): \(what)"
        }
    }
}

extension Rollout {
    /// Checks that the rows line up with `task` (one response per prompt, one log-prob per token).
    package func validate(against task: RolloutTask) throws(MessageError) {
        guard id == task.id else { throw .shape(task: id, what: "answers task \(id), not \(task.id)") }
        guard responses.count == task.prompts.count, logProbs.count == responses.count, stopped.count == responses.count else {
            throw .shape(task: id, what: "\(responses.count) responses for \(task.prompts.count) prompts")
        }
        for (r, row) in responses.enumerated() where row.count != logProbs[r].count || row.isEmpty
            || row.count > task.sampling.maxNewTokens {
            throw .shape(task: id, what: "row \(r) has \(row.count) tokens and \(logProbs[r].count) log-probs")
        }
    }
}
