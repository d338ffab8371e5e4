import Dispatch
import Models
import Wire

/// A reference worker: per-token log-probs under its frozen reference model (`ReferenceScoring`).
public actor ReferenceWorker {
    private let reference: CausalLM
    private let padID: Int
    private let transport: any WorkerTransport

    /// A worker over the frozen `reference` on `transport`.
    public init(reference: CausalLM, padID: Int, transport: any WorkerTransport) {
        self.reference = reference
        self.padID = padID
        self.transport = transport
    }

    /// Says hello, then answers messages until `stop` or the transport closes.
    public func run() async {
        guard (try? transport.send(.hello(.reference))) != nil else { return }
        for await message in transport.incoming {
            let reply: WorkerMessage
            switch message {
            case let .reference(request): reply = answer(request)
            case let .rollout(task): reply = .failed(task: task.id, reason: "a reference worker takes reference requests only")
            case let .score(request): reply = .failed(task: request.id, reason: "a reference worker takes reference requests only")
            case .weights: continue
            case .stop: return
            }
            if (try? transport.send(reply)) == nil { return }
        }
    }

    private func answer(_ request: SequenceRequest) -> WorkerMessage {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            var result = try ReferenceScoring.run(request, reference: reference, padID: padID)
            result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return .reference(result)
        } catch {
            return .failed(task: request.id, reason: "\(error)")
        }
    }
}
