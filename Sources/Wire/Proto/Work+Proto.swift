import RLHFProtoC

extension TaskID {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) -> UnsafeMutablePointer<Rlhf__V1__TaskId> {
        let message = arena.message(Rlhf__V1__TaskId.self)
        message.pointee.iteration = Int64(iteration)
        message.pointee.index = Int64(index)
        message.pointee.incarnation = incarnation
        return message
    }

    /// The id a message's `id` field holds, checked: present, the index ≥ 0, the iteration ≥ -2^40.
    init(proto pointer: UnsafeMutablePointer<Rlhf__V1__TaskId>?, _ field: String) throws(WireError) {
        let id = try FieldDecoding.required(pointer, field)
        // evaluation rounds use negative iterations (-1 - the policy version they evaluate)
        self.init(iteration: try FieldDecoding.int(id.iteration, "\(field).iteration", atLeast: -(1 << 40)),
                  index: try FieldDecoding.int(id.index, "\(field).index"), incarnation: id.incarnation)
    }
}

extension Ready {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__Ready> {
        let message = arena.message(Rlhf__V1__Ready.self)
        message.pointee.credit = try wireInt32(credit, "Ready.credit")
        return message
    }

    /// The value of an unpacked message, checked.
    init(proto message: Rlhf__V1__Ready) throws(WireError) {
        self.init(credit: try FieldDecoding.int(message.credit, "Ready.credit"))
    }
}

extension SamplingSettings {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__SamplingSettings> {
        let message = arena.message(Rlhf__V1__SamplingSettings.self)
        message.pointee.temperature = temperature
        message.pointee.top_k = try wireInt32(topK, "SamplingSettings.top_k")
        message.pointee.top_p = topP
        message.pointee.min_p = minP
        message.pointee.max_new_tokens = try wireInt32(maxNewTokens, "SamplingSettings.max_new_tokens")
        let stops = try stopTokens.map { id throws(WireError) in try wireInt32(id, "SamplingSettings.stop_tokens") }
        message.pointee.n_stop_tokens = stops.count
        message.pointee.stop_tokens = arena.array(stops)
        return message
    }

    /// The settings a task's `sampling` field holds, checked: temperature > 0, top-k ≥ 0, top-p in (0, 1],
    /// min-p in [0, 1], at least one new token, stop ids ≥ 0.
    init(proto pointer: UnsafeMutablePointer<Rlhf__V1__SamplingSettings>?) throws(WireError) {
        let message = try FieldDecoding.required(pointer, "RolloutTask.sampling")
        self.init(temperature: try FieldDecoding.float(message.temperature, "SamplingSettings.temperature", { $0 > 0 }, expected: "finite and > 0"),
                  topK: try FieldDecoding.int(message.top_k, "SamplingSettings.top_k"),
                  topP: try FieldDecoding.float(message.top_p, "SamplingSettings.top_p", { $0 > 0 && $0 <= 1 }, expected: "in (0, 1]"),
                  minP: try FieldDecoding.float(message.min_p, "SamplingSettings.min_p", { $0 >= 0 && $0 <= 1 }, expected: "in [0, 1]"),
                  maxNewTokens: try FieldDecoding.int(message.max_new_tokens, "SamplingSettings.max_new_tokens", atLeast: 1),
                  stopTokens: try FieldDecoding.ids(message.stop_tokens, message.n_stop_tokens, "SamplingSettings.stop_tokens"))
    }
}

extension RolloutTask {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__RolloutTask> {
        let message = arena.message(Rlhf__V1__RolloutTask.self)
        message.pointee.id = id.proto(in: arena)
        message.pointee.policy_version = Int64(policyVersion)
        let rows = try arena.rows(prompts, field: "RolloutTask.prompt_tokens")
        message.pointee.n_prompt_tokens = rows.count
        message.pointee.prompt_tokens = rows.values
        message.pointee.n_prompt_lengths = rows.rows
        message.pointee.prompt_lengths = rows.lengths
        message.pointee.seed = seed
        message.pointee.sampling = try sampling.proto(in: arena)
        return message
    }

    /// The value of an unpacked message, checked.
    init(proto message: Rlhf__V1__RolloutTask) throws(WireError) {
        self.init(id: try TaskID(proto: message.id, "RolloutTask.id"),
                  policyVersion: try FieldDecoding.int(message.policy_version, "RolloutTask.policy_version"),
                  prompts: try FieldDecoding.idRows(message.prompt_tokens, message.n_prompt_tokens, lengths: message.prompt_lengths,
                                                    message.n_prompt_lengths, "RolloutTask.prompt_tokens", "RolloutTask.prompt_lengths"),
                  seed: message.seed,
                  sampling: try SamplingSettings(proto: message.sampling))
    }
}

extension Rollout {
    /// The message struct, in `arena`. The log-probs share the responses' row lengths, so their rows must
    /// have the same lengths.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__Rollout> {
        guard logProbs.count == responses.count, zip(responses, logProbs).allSatisfy({ $0.count == $1.count }) else {
            throw .unrepresentable(field: "Rollout.log_probs", value: "rows that do not match the responses' lengths")
        }
        let message = arena.message(Rlhf__V1__Rollout.self)
        message.pointee.id = id.proto(in: arena)
        message.pointee.policy_version = Int64(policyVersion)
        let rows = try arena.rows(responses, field: "Rollout.response_tokens")
        message.pointee.n_response_tokens = rows.count
        message.pointee.response_tokens = rows.values
        message.pointee.n_response_lengths = rows.rows
        message.pointee.response_lengths = rows.lengths
        let logProbRows = try arena.rows(logProbs, field: "Rollout.log_probs")
        message.pointee.n_log_probs = logProbRows.count
        message.pointee.log_probs = logProbRows.values
        message.pointee.n_stopped = stopped.count
        message.pointee.stopped = arena.array(stopped.map { $0 ? Int32(1) : Int32(0) })
        message.pointee.compute_seconds = seconds
        return message
    }

    /// The value of an unpacked message, checked: the log-probs and stop flags line up with the responses.
    init(proto message: Rlhf__V1__Rollout) throws(WireError) {
        let id = try TaskID(proto: message.id, "Rollout.id")
        let responses = try FieldDecoding.idRows(message.response_tokens, message.n_response_tokens, lengths: message.response_lengths,
                                                 message.n_response_lengths, "Rollout.response_tokens", "Rollout.response_lengths")
        guard message.n_log_probs == message.n_response_tokens else {
            throw .inconsistent("Rollout.log_probs holds \(message.n_log_probs) values for \(message.n_response_tokens) response tokens")
        }
        guard message.n_stopped == message.n_response_lengths else {
            throw .inconsistent("Rollout.stopped holds \(message.n_stopped) flags for \(message.n_response_lengths) rows")
        }
        let logProbs = try FieldDecoding.floatRows(message.log_probs, message.n_log_probs, lengths: message.response_lengths,
                                                   message.n_response_lengths, "Rollout.log_probs", "Rollout.response_lengths")
        let stopped = message.n_stopped == 0 ? [] : UnsafeBufferPointer(start: message.stopped, count: message.n_stopped).map { $0 != 0 }
        self.init(id: id, policyVersion: try FieldDecoding.int(message.policy_version, "Rollout.policy_version"),
                  responses: responses, logProbs: logProbs, stopped: stopped,
                  seconds: try FieldDecoding.seconds(message.compute_seconds, "Rollout.compute_seconds"))
    }
}

extension SequenceRequest {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__SequenceRequest> {
        let message = arena.message(Rlhf__V1__SequenceRequest.self)
        message.pointee.id = id.proto(in: arena)
        let queryRows = try arena.rows(queries, field: "SequenceRequest.query_tokens")
        message.pointee.n_query_tokens = queryRows.count
        message.pointee.query_tokens = queryRows.values
        message.pointee.n_query_lengths = queryRows.rows
        message.pointee.query_lengths = queryRows.lengths
        let responseRows = try arena.rows(responses, field: "SequenceRequest.response_tokens")
        message.pointee.n_response_tokens = responseRows.count
        message.pointee.response_tokens = responseRows.values
        message.pointee.n_response_lengths = responseRows.rows
        message.pointee.response_lengths = responseRows.lengths
        message.pointee.temperature = temperature
        if let texts {
            guard texts.queries.count == queries.count, texts.responses.count == responses.count else {
                throw .unrepresentable(field: "SequenceRequest.query_text", value: "\(texts.queries.count) and \(texts.responses.count) texts for \(queries.count) rows")
            }
            let queryTexts = try arena.texts(texts.queries, field: "SequenceRequest.query_text")
            message.pointee.query_text = queryTexts.bytes
            message.pointee.n_query_text_lengths = queryTexts.rows
            message.pointee.query_text_lengths = queryTexts.lengths
            let responseTexts = try arena.texts(texts.responses, field: "SequenceRequest.response_text")
            message.pointee.response_text = responseTexts.bytes
            message.pointee.n_response_text_lengths = responseTexts.rows
            message.pointee.response_text_lengths = responseTexts.lengths
        }
        return message
    }

    /// The value of an unpacked message, checked: as many query rows as response rows, temperature > 0,
    /// and texts either absent or one valid UTF-8 prompt and response per row.
    init(proto message: Rlhf__V1__SequenceRequest) throws(WireError) {
        let id = try TaskID(proto: message.id, "SequenceRequest.id")
        let queries = try FieldDecoding.idRows(message.query_tokens, message.n_query_tokens, lengths: message.query_lengths,
                                               message.n_query_lengths, "SequenceRequest.query_tokens", "SequenceRequest.query_lengths")
        let responses = try FieldDecoding.idRows(message.response_tokens, message.n_response_tokens, lengths: message.response_lengths,
                                                 message.n_response_lengths, "SequenceRequest.response_tokens", "SequenceRequest.response_lengths")
        guard queries.count == responses.count else {
            throw .inconsistent("SequenceRequest has \(queries.count) query rows and \(responses.count) response rows")
        }
        self.init(id: id, queries: queries, responses: responses,
                  temperature: try FieldDecoding.float(message.temperature, "SequenceRequest.temperature", { $0 > 0 }, expected: "finite and > 0"),
                  texts: try SequenceTexts(proto: message, rows: queries.count))
    }
}

extension SequenceTexts {
    /// The texts of a request of `rows` rows, checked: nil when all four text fields are empty, else a
    /// length per row in each lengths field, summing to its bytes, and every row valid UTF-8.
    init?(proto message: Rlhf__V1__SequenceRequest, rows: Int) throws(WireError) {
        guard message.n_query_text_lengths > 0 || message.n_response_text_lengths > 0
            || message.query_text.len > 0 || message.response_text.len > 0 else { return nil }
        guard message.n_query_text_lengths == rows, message.n_response_text_lengths == rows else {
            throw .inconsistent("SequenceRequest has \(message.n_query_text_lengths) query texts and \(message.n_response_text_lengths) response texts for \(rows) rows")
        }
        self.init(queries: try FieldDecoding.textRows(message.query_text, lengths: message.query_text_lengths, rows,
                                                      "SequenceRequest.query_text", "SequenceRequest.query_text_lengths"),
                  responses: try FieldDecoding.textRows(message.response_text, lengths: message.response_text_lengths, rows,
                                                        "SequenceRequest.response_text", "SequenceRequest.response_text_lengths"))
    }
}

extension ScoreResult {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) -> UnsafeMutablePointer<Rlhf__V1__ScoreResult> {
        let message = arena.message(Rlhf__V1__ScoreResult.self)
        message.pointee.id = id.proto(in: arena)
        message.pointee.n_scores = scores.count
        message.pointee.scores = arena.array(scores)
        message.pointee.compute_seconds = seconds
        return message
    }

    /// The value of an unpacked message, checked: finite scores.
    init(proto message: Rlhf__V1__ScoreResult) throws(WireError) {
        guard message.n_scores <= WireProtocol.rowLimit else {
            throw .outOfRange(field: "ScoreResult.scores", value: "\(message.n_scores) rows", expected: "at most \(WireProtocol.rowLimit) rows")
        }
        self.init(id: try TaskID(proto: message.id, "ScoreResult.id"),
                  scores: try FieldDecoding.floats(message.scores, message.n_scores, "ScoreResult.scores"),
                  seconds: try FieldDecoding.seconds(message.compute_seconds, "ScoreResult.compute_seconds"))
    }
}

extension ReferenceResult {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__ReferenceResult> {
        let message = arena.message(Rlhf__V1__ReferenceResult.self)
        message.pointee.id = id.proto(in: arena)
        let rows = try arena.rows(logProbs, field: "ReferenceResult.log_probs")
        message.pointee.n_log_probs = rows.count
        message.pointee.log_probs = rows.values
        message.pointee.n_lengths = rows.rows
        message.pointee.lengths = rows.lengths
        message.pointee.compute_seconds = seconds
        return message
    }

    /// The value of an unpacked message, checked.
    init(proto message: Rlhf__V1__ReferenceResult) throws(WireError) {
        self.init(id: try TaskID(proto: message.id, "ReferenceResult.id"),
                  logProbs: try FieldDecoding.floatRows(message.log_probs, message.n_log_probs, lengths: message.lengths,
                                                        message.n_lengths, "ReferenceResult.log_probs", "ReferenceResult.lengths"),
                  seconds: try FieldDecoding.seconds(message.compute_seconds, "ReferenceResult.compute_seconds"))
    }
}

/// `TASK_FAILED`'s body.
enum TaskFailedProto {
    /// The message struct, in `arena`.
    static func proto(task: TaskID, reason: String, in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__TaskFailed> {
        let message = arena.message(Rlhf__V1__TaskFailed.self)
        message.pointee.id = task.proto(in: arena)
        message.pointee.reason = try arena.string(reason, field: "TaskFailed.reason")
        return message
    }

    /// The task and reason of an unpacked message, checked.
    static func value(_ message: Rlhf__V1__TaskFailed) throws(WireError) -> WireMessage {
        .taskFailed(task: try TaskID(proto: message.id, "TaskFailed.id"), reason: try FieldDecoding.text(message.reason, "TaskFailed.reason"))
    }
}
