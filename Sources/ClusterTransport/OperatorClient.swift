import Foundation
import Logging
import Wire
import ZeroMQ

/// An operator's one request to a learner and its one answer, over a DEALER with the operator's
/// CurveZMQ key: what `rlhf status`, `checkpoint`, `stop` and `drain` send.
package enum OperatorClient {
    /// Why no answer came.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Sends `action` to the learner at `endpoint` and returns its answer, or throws `Failure` when none
    /// comes within `timeout` seconds (a learner gone, or a key it does not admit: CurveZMQ gives no sign).
    package static func ask(_ action: OperatorRequest.Action, endpoint: String, security: ClientSecurity, timeout: Double,
                            logger: Logger) async throws -> OperatorAnswer {
        let context = try ZMQContext()
        var limits = SocketLimits()
        limits.sendTimeout = .milliseconds(Int(timeout * 1000))
        let dealer = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: security, limits: limits, name: "operator",
                                                           logger: logger), context: context)
        let id = UInt64.random(in: 1 ... .max)
        let frames = try WireCodec.encode(.operatorRequest(OperatorRequest(id: id, action: action)), header: WireHeader(worker: 0, sequence: 1))
        try dealer.post(frames.map { Frame($0) })
        let answer = Task { () -> OperatorAnswer? in
            for await received in dealer.incoming {
                guard let envelope = try? WireCodec.decode(frames: received, from: .learner),
                      case let .operatorAnswer(answer) = envelope.message, answer.id == id else { continue }
                return answer
            }
            return nil
        }
        let timer = Task {
            try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            answer.cancel()
        }
        let answered = await answer.value
        timer.cancel()
        await dealer.close()
        guard let answered else {
            throw Failure(description: "no answer from the learner at \(endpoint) within \(Int(timeout.rounded())) s "
                          + "(is it running, and is this its operator key?)")
        }
        return answered
    }
}
