import Foundation
import Logging
import Synchronization
import Wire
import ZeroMQ

/// An operator's connection to a learner: a DEALER with the operator's CurveZMQ key, kept open for as
/// many requests as its holder asks (the launcher asks for the status every second), each answer matched
/// to its request by id. `ask(_:endpoint:...)` is one request on a connection of its own (`rlhf status`,
/// `checkpoint`, `stop`, `drain`).
package final class OperatorClient: Sendable {
    /// Why no answer came.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    private let context: ZMQContext
    private let dealer: DealerEndpoint
    private let endpoint: String
    /// The requests waiting for their answers, by id.
    private final class Waiting: Sendable {
        let requests = Mutex<[UInt64: CheckedContinuation<OperatorAnswer?, Never>]>([:])

        /// Gives request `id` its answer (nil: none), once.
        func resume(_ id: UInt64, with answer: OperatorAnswer?) {
            requests.withLock { $0.removeValue(forKey: id) }?.resume(returning: answer)
        }
    }

    private let waiting = Waiting()
    private let sequence = Atomic<UInt64>(0)
    private let reader: Task<Void, Never>

    /// Connects to the learner at `endpoint` (nothing is sent yet); a send waits at most `sendTimeout` seconds.
    package init(endpoint: String, security: ClientSecurity, sendTimeout: Double, logger: Logger) async throws {
        context = try ZMQContext()
        var limits = SocketLimits()
        limits.sendTimeout = .milliseconds(Int(sendTimeout * 1000))
        let dealer = try await DealerEndpoint(DealerConfig(endpoint: endpoint, security: security, limits: limits, name: "operator",
                                                           logger: logger), context: context)
        self.dealer = dealer
        self.endpoint = endpoint
        let waiting = self.waiting
        reader = Task.detached {
            for await received in dealer.incoming {
                guard let envelope = try? WireCodec.decode(frames: received, from: .learner),
                      case let .operatorAnswer(answer) = envelope.message else { continue }
                waiting.resume(answer.id, with: answer)
            }
        }
    }

    /// Sends `action` and returns its answer, or throws `Failure` when none comes within `timeout` seconds
    /// (a learner gone, or a key it does not admit: CurveZMQ gives no sign). The connection stays usable.
    package func ask(_ action: OperatorRequest.Action, timeout: Double) async throws -> OperatorAnswer {
        let id = UInt64.random(in: 1 ... .max)
        let frames = try WireCodec.encode(.operatorRequest(OperatorRequest(id: id, action: action)),
                                          header: WireHeader(worker: 0, sequence: sequence.add(1, ordering: .relaxed).newValue))
        let (waiting, dealer) = (self.waiting, self.dealer)
        let message = frames.map { Frame($0) }
        let answered = await withCheckedContinuation { (continuation: CheckedContinuation<OperatorAnswer?, Never>) in
            waiting.requests.withLock { $0[id] = continuation }
            do { try dealer.post(message) } catch {
                waiting.resume(id, with: nil)
                return
            }
            Task {
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                waiting.resume(id, with: nil)
            }
        }
        guard let answered else {
            throw Failure(description: "no answer from the learner at \(endpoint) within \(Int(timeout.rounded())) s "
                          + "(is it running, and is this its operator key?)")
        }
        return answered
    }

    /// Closes the connection; requests still waiting get no answer.
    package func close() async {
        for continuation in waiting.requests.withLock({ state in defer { state.removeAll() }; return Array(state.values) }) {
            continuation.resume(returning: nil)
        }
        reader.cancel()
        await dealer.close()
    }

    /// One request on a connection of its own: sends `action` to the learner at `endpoint` and returns its
    /// answer, or throws `Failure` when none comes within `timeout` seconds.
    package static func ask(_ action: OperatorRequest.Action, endpoint: String, security: ClientSecurity, timeout: Double,
                            logger: Logger) async throws -> OperatorAnswer {
        let client = try await OperatorClient(endpoint: endpoint, security: security, sendTimeout: timeout, logger: logger)
        do {
            let answer = try await client.ask(action, timeout: timeout)
            await client.close()
            return answer
        } catch {
            await client.close()
            throw error
        }
    }
}
