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
        case let .scale(role, count, relative):
            message.pointee.action = RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_SCALE
            message.pointee.role = role.proto
            message.pointee.count = Int32(clamping: count)
            message.pointee.relative = relative ? 1 : 0
        case let .admit(worker, key):
            message.pointee.action = RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_ADMIT
            message.pointee.worker = try arena.string(worker, field: "OperatorRequest.worker")
            message.pointee.public_key = try arena.string(key, field: "OperatorRequest.public_key")
        }
        return message
    }

    /// The value of an unpacked message, checked: an action this version knows, with a worker name
    /// `ROLE-INDEX` for `DRAIN` and `ADMIT`, a known role and a count within `scaleLimit` (at least 0 as a
    /// target) for `SCALE`, and a Z85 public key for `ADMIT`.
    init(proto message: Rlhf__V1__OperatorRequest) throws(WireError) {
        func worker() throws(WireError) -> String {
            let name = try FieldDecoding.name(message.worker, "OperatorRequest.worker")
            guard Self.isWorkerName(name) else {
                throw .outOfRange(field: "OperatorRequest.worker", value: String(name.prefix(60)).debugDescription, expected: "a worker name ROLE-INDEX")
            }
            return name
        }
        let action: Action
        switch message.action {
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_STATUS: action = .status
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_CHECKPOINT: action = .checkpoint
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_STOP: action = .stop
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_DRAIN: action = .drain(worker: try worker())
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_SCALE:
            guard let role = WorkerRole(proto: message.role) else {
                throw .outOfRange(field: "OperatorRequest.role", value: "\(Int32(bitPattern: message.role.rawValue))", expected: "rollout, reward or reference")
            }
            let count = Int(message.count), relative = message.relative != 0
            guard abs(count) <= Self.scaleLimit, relative || count >= 0 else {
                throw .outOfRange(field: "OperatorRequest.count", value: "\(count)",
                                  expected: relative ? "a change of at most \(Self.scaleLimit)" : "a target of 0 to \(Self.scaleLimit)")
            }
            action = .scale(role: role, count: count, relative: relative)
        case RLHF__V1__OPERATOR_ACTION__OPERATOR_ACTION_ADMIT:
            let key = try FieldDecoding.name(message.public_key, "OperatorRequest.public_key")
            guard Self.isPublicKey(key) else {
                throw .outOfRange(field: "OperatorRequest.public_key", value: "\(key.utf8.count) bytes", expected: "40 Z85 characters")
            }
            action = .admit(worker: try worker(), publicKey: key)
        default:
            throw .outOfRange(field: "OperatorRequest.action", value: "\(Int32(bitPattern: message.action.rawValue))",
                              expected: "status, checkpoint, stop, drain, scale or admit")
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

extension MonitorUpdate {
    /// The message struct, in `arena`.
    func proto(in arena: PackArena) throws(WireError) -> UnsafeMutablePointer<Rlhf__V1__MonitorUpdate> {
        let update = arena.message(Rlhf__V1__MonitorUpdate.self)
        update.pointee.sequence = sequence
        update.pointee.snapshot_json = try arena.string(json, field: "MonitorUpdate.snapshot_json")
        return update
    }

    /// The value of an unpacked message, checked: a snapshot within its limit.
    init(proto update: Rlhf__V1__MonitorUpdate) throws(WireError) {
        let json = try FieldDecoding.text(update.snapshot_json, "MonitorUpdate.snapshot_json")
        guard json.utf8.count <= OperatorAnswer.statusLimit else {
            throw .outOfRange(field: "MonitorUpdate.snapshot_json", value: "\(json.utf8.count) bytes", expected: "at most \(OperatorAnswer.statusLimit) bytes")
        }
        self.init(sequence: update.sequence, json: json)
    }
}
