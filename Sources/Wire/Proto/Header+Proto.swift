import RLHFProtoC

extension MessageKind {
    /// The kind a header names, or nil for one this version does not know.
    init?(proto: Rlhf__V1__Kind) {
        switch proto {
        case RLHF__V1__KIND__KIND_REGISTER: self = .register
        case RLHF__V1__KIND__KIND_WELCOME: self = .welcome
        case RLHF__V1__KIND__KIND_HEARTBEAT: self = .heartbeat
        case RLHF__V1__KIND__KIND_READY: self = .ready
        case RLHF__V1__KIND__KIND_ROLLOUT_TASK: self = .rolloutTask
        case RLHF__V1__KIND__KIND_ROLLOUT: self = .rollout
        case RLHF__V1__KIND__KIND_SCORE_REQUEST: self = .scoreRequest
        case RLHF__V1__KIND__KIND_SCORE_RESULT: self = .scoreResult
        case RLHF__V1__KIND__KIND_REFERENCE_REQUEST: self = .referenceRequest
        case RLHF__V1__KIND__KIND_REFERENCE_RESULT: self = .referenceResult
        case RLHF__V1__KIND__KIND_WEIGHTS_MANIFEST: self = .weightsManifest
        case RLHF__V1__KIND__KIND_WEIGHTS_CHUNK: self = .weightsChunk
        case RLHF__V1__KIND__KIND_WEIGHTS_REQUEST: self = .weightsRequest
        case RLHF__V1__KIND__KIND_WEIGHTS_INSTALLED: self = .weightsInstalled
        case RLHF__V1__KIND__KIND_WEIGHTS_REFUSED: self = .weightsRefused
        case RLHF__V1__KIND__KIND_TASK_FAILED: self = .taskFailed
        case RLHF__V1__KIND__KIND_CONTROL: self = .control
        case RLHF__V1__KIND__KIND_METRICS: self = .metrics
        case RLHF__V1__KIND__KIND_OPERATOR_REQUEST: self = .operatorRequest
        case RLHF__V1__KIND__KIND_OPERATOR_ANSWER: self = .operatorAnswer
        case RLHF__V1__KIND__KIND_MONITOR_UPDATE: self = .monitorUpdate
        default: return nil
        }
    }

    /// The header's kind value.
    var proto: Rlhf__V1__Kind {
        switch self {
        case .register: RLHF__V1__KIND__KIND_REGISTER
        case .welcome: RLHF__V1__KIND__KIND_WELCOME
        case .heartbeat: RLHF__V1__KIND__KIND_HEARTBEAT
        case .ready: RLHF__V1__KIND__KIND_READY
        case .rolloutTask: RLHF__V1__KIND__KIND_ROLLOUT_TASK
        case .rollout: RLHF__V1__KIND__KIND_ROLLOUT
        case .scoreRequest: RLHF__V1__KIND__KIND_SCORE_REQUEST
        case .scoreResult: RLHF__V1__KIND__KIND_SCORE_RESULT
        case .referenceRequest: RLHF__V1__KIND__KIND_REFERENCE_REQUEST
        case .referenceResult: RLHF__V1__KIND__KIND_REFERENCE_RESULT
        case .weightsManifest: RLHF__V1__KIND__KIND_WEIGHTS_MANIFEST
        case .weightsChunk: RLHF__V1__KIND__KIND_WEIGHTS_CHUNK
        case .weightsRequest: RLHF__V1__KIND__KIND_WEIGHTS_REQUEST
        case .weightsInstalled: RLHF__V1__KIND__KIND_WEIGHTS_INSTALLED
        case .weightsRefused: RLHF__V1__KIND__KIND_WEIGHTS_REFUSED
        case .taskFailed: RLHF__V1__KIND__KIND_TASK_FAILED
        case .control: RLHF__V1__KIND__KIND_CONTROL
        case .metrics: RLHF__V1__KIND__KIND_METRICS
        case .operatorRequest: RLHF__V1__KIND__KIND_OPERATOR_REQUEST
        case .operatorAnswer: RLHF__V1__KIND__KIND_OPERATOR_ANSWER
        case .monitorUpdate: RLHF__V1__KIND__KIND_MONITOR_UPDATE
        }
    }
}

extension WireHeader {
    /// Frame 0 for a message of `kind` with this header.
    func packed(kind: MessageKind) throws(WireError) -> [UInt8] {
        guard sequence >= 1 else { throw .unrepresentable(field: "Header.sequence", value: "0 (sequences start at 1)") }
        var header = Rlhf__V1__Header()
        rlhf__v1__header__init(&header)
        header.protocol_version = WireProtocol.version
        header.kind = kind.proto
        header.worker_id = worker
        header.sequence = sequence
        return withUnsafePointer(to: &header) { Wire.packed($0) }
    }

    /// Decodes frame 0: the header and its kind, after checking the protocol version and the kind.
    static func unpacked(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> (MessageKind, WireHeader) {
        try Wire.unpacked(Rlhf__V1__Header.self, bytes, part: "header") { header throws(WireError) in
            guard header.protocol_version == WireProtocol.version else { throw .protocolVersion(header.protocol_version) }
            guard let kind = MessageKind(proto: header.kind) else { throw .unknownKind(Int32(bitPattern: header.kind.rawValue)) }
            guard header.sequence >= 1 else { throw .outOfRange(field: "Header.sequence", value: "0", expected: ">= 1") }
            return (kind, WireHeader(worker: header.worker_id, sequence: header.sequence))
        }
    }
}
