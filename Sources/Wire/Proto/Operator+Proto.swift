import RLHFProtoC

extension OperatorRequest {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__OperatorRequest> {
        let message = arena.message(Rlhf__V1__OperatorRequest.self)
        message.pointee.request_id = id
        switch action {
        case .status: message.pointee.action = RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_STATUS
        case .checkpoint: message.pointee.action = RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_CHECKPOINT
        case .stop: message.pointee.action = RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_STOP
        case let .drain(worker):
            message.pointee.action = RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_DRAIN
            message.pointee.worker = try arena.string(worker, field: "OperatorRequest.worker")
        }
        return message
    }

    /// The value of an unpacked message, checked: an action this version knows (not yet `SCALE` or
    /// `ADMIT`), with a worker name `ROLE-INDEX` for `DRAIN`.
    init(proto message: Rlhf__V1__OperatorRequest) throws(WireError) {
        func worker() throws(WireError) -> String {
            let name = try FieldDecoding.name(message.worker, "OperatorRequest.worker")
            guard Self.isWorkerName(name) else {
                throw .outOfRange(field: "OperatorRequest.worker", value: String(name.prefix(60)), expected: "a worker name ROLE-INDEX")
            }
            return name
        }
        let action: Action
        switch message.action {
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_STATUS: action = .status
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_CHECKPOINT: action = .checkpoint
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_STOP: action = .stop
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_DRAIN: action = .drain(worker: try worker())
        default:
            throw .outOfRange(field: "OperatorRequest.action", value: "\(Int32(bitPattern: message.action.rawValue))",
                              expected: "status, checkpoint, stop or drain")
        }
        self.init(id: message.request_id, action: action)
    }
}

extension OperatorAnswer {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__OperatorAnswer> {
        let answer = arena.message(Rlhf__V1__OperatorAnswer.self)
        answer.pointee.request_id = id
        answer.pointee.done = done ? 1 : 0
        answer.pointee.message = try arena.string(message, field: "OperatorAnswer.message")
        answer.pointee.status_json = try arena.string(status, field: "OperatorAnswer.status_json")
        return answer
    }

    /// The value of an unpacked message, checked: a message of one line within its limit, a status within its.
    init(proto answer: Rlhf__V1__OperatorAnswer) throws(WireError) {
        let message = try FieldDecoding.text(answer.message, "OperatorAnswer.message")
        guard message.utf8.count <= Self.messageLimit, !message.contains("\n") else {
            throw .outOfRange(field: "OperatorAnswer.message", value: "\(message.utf8.count) bytes", expected: "one line of at most \(Self.messageLimit) bytes")
        }
        let status = try FieldDecoding.text(answer.status_json, "OperatorAnswer.status_json")
        guard status.utf8.count <= Self.statusLimit else {
            throw .outOfRange(field: "OperatorAnswer.status_json", value: "\(status.utf8.count) bytes", expected: "at most \(Self.statusLimit) bytes")
        }
        self.init(id: answer.request_id, done: answer.done != 0, message: message, status: status)
    }
}
