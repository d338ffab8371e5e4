import ClusterCore
import Dispatch
import Models
import Wire

/// A reference worker: per-token log-probs under its frozen reference model (`ReferenceScoring`).
package actor ReferenceWorker {
    private let reference: CausalLM
    private let padID: Int
    private let transport: any WorkerTransport

    /// A worker over the frozen `reference` on `transport`.
    package init(reference: CausalLM, padID: Int, transport: any WorkerTransport) {
        self.reference = reference
        self.padID = padID
        self.transport = transport
    }

    /// Says hello, then answers messages until `stop` or the transport closes.
    package func run() async {
        await RequestServing.serve(.reference, transport: transport, take: { message in
            if case let .reference(request) = message { return request }
            return nil
        }, answer: { answer($0) })
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
