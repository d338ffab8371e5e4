/// One message of the work socket (or the metrics socket), one case per kind of PROTOCOL.md section 3.
/// `WireCodec` turns it into frames and back; `workerMessage` and `learnerMessage` are the in-process
/// messages the roles handle.
package enum WireMessage: Sendable, Equatable {
    /// `REGISTER`, worker → learner.
    case register(Register)
    /// `WELCOME`, learner → worker.
    case welcome(Welcome)
    /// `HEARTBEAT`, both ways (an empty body).
    case heartbeat
    /// `READY`, worker → learner.
    case ready(Ready)
    /// `ROLLOUT_TASK`, learner → rollout generator.
    case rolloutTask(RolloutTask)
    /// `ROLLOUT`, rollout generator → learner.
    case rollout(Rollout)
    /// `SCORE_REQUEST`, learner → reward scorer.
    case scoreRequest(SequenceRequest)
    /// `SCORE_RESULT`, reward scorer → learner.
    case scoreResult(ScoreResult)
    /// `REFERENCE_REQUEST`, learner → reference worker.
    case referenceRequest(SequenceRequest)
    /// `REFERENCE_RESULT`, reference worker → learner.
    case referenceResult(ReferenceResult)
    /// `WEIGHTS_MANIFEST`, learner → rollout generator.
    case weightsManifest(WeightsManifest)
    /// `WEIGHTS_CHUNK`, learner → rollout generator (the bytes are frame 2).
    case weightsChunk(WeightsChunk)
    /// `WEIGHTS_REQUEST`, rollout generator → learner.
    case weightsRequest(WeightsRequest)
    /// `WEIGHTS_INSTALLED`, rollout generator → learner: it samples with `version` now.
    case weightsInstalled(version: Int)
    /// `WEIGHTS_REFUSED`, rollout generator → learner: `version` did not verify or fit, and why.
    case weightsRefused(version: Int, reason: String)
    /// `TASK_FAILED`, worker → learner: why, in one line.
    case taskFailed(task: TaskID, reason: String)
    /// `CONTROL`, learner → worker.
    case control(Control)
    /// `METRICS`, learner → PUB.
    case metrics(Metrics)
    /// `OPERATOR_REQUEST`, operator → learner.
    case operatorRequest(OperatorRequest)
    /// `OPERATOR_ANSWER`, learner → operator.
    case operatorAnswer(OperatorAnswer)
    /// `MONITOR_UPDATE`, learner → PUB.
    case monitorUpdate(MonitorUpdate)

    /// The header's kind for this message.
    package var kind: MessageKind {
        switch self {
        case .register: .register
        case .welcome: .welcome
        case .heartbeat: .heartbeat
        case .ready: .ready
        case .rolloutTask: .rolloutTask
        case .rollout: .rollout
        case .scoreRequest: .scoreRequest
        case .scoreResult: .scoreResult
        case .referenceRequest: .referenceRequest
        case .referenceResult: .referenceResult
        case .weightsManifest: .weightsManifest
        case .weightsChunk: .weightsChunk
        case .weightsRequest: .weightsRequest
        case .weightsInstalled: .weightsInstalled
        case .weightsRefused: .weightsRefused
        case .taskFailed: .taskFailed
        case .control: .control
        case .metrics: .metrics
        case .operatorRequest: .operatorRequest
        case .operatorAnswer: .operatorAnswer
        case .monitorUpdate: .monitorUpdate
        }
    }
}

extension WireMessage {
    /// The wire message for an in-process worker message, or nil for `.hello`: a worker on the wire sends
    /// a whole `Register` (host, pid, device, capabilities), which a role alone does not know.
    package init?(_ message: WorkerMessage) {
        switch message {
        case .hello: return nil
        case let .installed(version): self = .weightsInstalled(version: version)
        case let .refused(version, reason): self = .weightsRefused(version: version, reason: reason)
        case let .rollout(rollout): self = .rollout(rollout)
        case let .scores(result): self = .scoreResult(result)
        case let .reference(result): self = .referenceResult(result)
        case let .failed(task, reason): self = .taskFailed(task: task, reason: reason)
        case .draining: self = .ready(Ready(credit: 0))
        }
    }

    /// The wire message for an in-process learner message, or nil for `.weights`: on the wire a version
    /// travels as a `WeightsManifest` and its `WeightsChunk`s, which a weight stream sends.
    package init?(_ message: LearnerMessage) {
        switch message {
        case .weights: return nil
        case let .rollout(task): self = .rolloutTask(task)
        case let .score(request): self = .scoreRequest(request)
        case let .reference(request): self = .referenceRequest(request)
        case .stop: self = .control(.stop)
        case .drain: self = .control(.drain)
        }
    }

    /// The in-process message a worker's wire message stands for (`REGISTER` is `.hello(role)`), or nil
    /// for the kinds the transport handles itself (`READY`, `HEARTBEAT`, `WEIGHTS_REQUEST`) and those of
    /// the learner.
    package var workerMessage: WorkerMessage? {
        switch self {
        case let .register(registration): .hello(registration.role)
        case let .weightsInstalled(version): .installed(version: version)
        case let .weightsRefused(version, reason): .refused(version: version, reason: reason)
        case let .rollout(rollout): .rollout(rollout)
        case let .scoreResult(result): .scores(result)
        case let .referenceResult(result): .reference(result)
        case let .taskFailed(task, reason): .failed(task: task, reason: reason)
        default: nil
        }
    }

    /// The in-process message a learner's wire message stands for (`CONTROL STOP` is `.stop`, `CONTROL
    /// DRAIN` is `.drain`), or nil for the kinds the transport handles itself (welcome, heartbeats, weight
    /// streams, metrics), `CONTROL CHECKPOINT` (no role holds state of its own) and those of workers.
    package var learnerMessage: LearnerMessage? {
        switch self {
        case let .rolloutTask(task): .rollout(task)
        case let .scoreRequest(request): .score(request)
        case let .referenceRequest(request): .reference(request)
        case .control(.stop): .stop
        case .control(.drain): .drain
        default: nil
        }
    }
}
