/// The two ends of the work socket.
package enum WirePeer: String, Sendable, Hashable, CustomStringConvertible {
    /// The learner (the `ROUTER`; also the `PUB` of metrics).
    case learner
    /// A worker (a `DEALER`), or an operator's control command (a `DEALER` with the operator key).
    case worker

    /// `learner` or `worker`.
    package var description: String { rawValue }
}

/// What a message's body is: the header's `kind` (PROTOCOL.md section 3).
package enum MessageKind: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case register, welcome, heartbeat, ready
    case rolloutTask, rollout, scoreRequest, scoreResult, referenceRequest, referenceResult
    case weightsManifest, weightsChunk, weightsRequest, weightsInstalled, weightsRefused
    case taskFailed, control, metrics
    case operatorRequest, operatorAnswer, monitorUpdate

    /// The name PROTOCOL.md gives it (`ROLLOUT_TASK`).
    package var description: String {
        switch self {
        case .register: "REGISTER"
        case .welcome: "WELCOME"
        case .heartbeat: "HEARTBEAT"
        case .ready: "READY"
        case .rolloutTask: "ROLLOUT_TASK"
        case .rollout: "ROLLOUT"
        case .scoreRequest: "SCORE_REQUEST"
        case .scoreResult: "SCORE_RESULT"
        case .referenceRequest: "REFERENCE_REQUEST"
        case .referenceResult: "REFERENCE_RESULT"
        case .weightsManifest: "WEIGHTS_MANIFEST"
        case .weightsChunk: "WEIGHTS_CHUNK"
        case .weightsRequest: "WEIGHTS_REQUEST"
        case .weightsInstalled: "WEIGHTS_INSTALLED"
        case .weightsRefused: "WEIGHTS_REFUSED"
        case .taskFailed: "TASK_FAILED"
        case .control: "CONTROL"
        case .metrics: "METRICS"
        case .operatorRequest: "OPERATOR_REQUEST"
        case .operatorAnswer: "OPERATOR_ANSWER"
        case .monitorUpdate: "MONITOR_UPDATE"
        }
    }

    /// Whether `peer` sends this kind (a receiver drops the others).
    package func isSent(by peer: WirePeer) -> Bool {
        switch self {
        case .heartbeat: true
        case .register, .ready, .rollout, .scoreResult, .referenceResult, .weightsRequest, .weightsInstalled,
             .weightsRefused, .taskFailed, .operatorRequest:
            peer == .worker
        case .welcome, .rolloutTask, .scoreRequest, .referenceRequest, .weightsManifest, .weightsChunk, .control,
             .metrics, .operatorAnswer, .monitorUpdate:
            peer == .learner
        }
    }

    /// Frames a message of this kind has: header and body, plus the raw payload of a weight chunk.
    package var frameCount: Int { self == .weightsChunk ? 3 : 2 }
}
