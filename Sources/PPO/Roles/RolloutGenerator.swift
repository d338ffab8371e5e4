import ClusterCore
import Dispatch
import Generation
import Models
import Tensor
import Wire

/// A rollout generator: its own copy of the policy, which it replaces with each published version
/// between tasks, and the sampling of `RolloutSampling`. It answers a task only with the version the
/// task names; anything else is a `failed` reply, and the learner leases the task again.
package actor RolloutGenerator {
    private let model: CausalLM
    private let generator: Generator
    private let transport: any WorkerTransport
    /// In a LoRA run: the base and the adapter each version is merged from (nil: versions are whole).
    private let adapter: AdapterInstall?
    /// The policy version installed (nil before the first weights).
    package private(set) var version: Int?

    /// A generator over `model` (a copy of the policy's layout, no value head) on `transport`; with
    /// `adapter`, each version is a LoRA adapter merged into the base `adapter` holds.
    package init(model: CausalLM, padID: Int, transport: any WorkerTransport, adapter: AdapterInstall? = nil) {
        self.model = model
        self.adapter = adapter
        generator = Generator(model: model, padID: padID)
        self.transport = transport
    }

    /// Says hello, then answers messages until `stop` or the transport closes.
    package func run() async {
        guard (try? transport.send(.hello(.rollout))) != nil else { return }
        for await message in transport.incoming {
            let reply: WorkerMessage
            switch message {
            case let .weights(weights): reply = install(weights)
            case let .rollout(task): reply = answer(task)
            case let .score(request), let .reference(request):
                reply = .failed(task: request.id, reason: "a rollout generator takes rollout tasks only")
            case .stop: return
            case .drain: reply = .draining
            }
            if (try? transport.send(reply)) == nil { return }
        }
    }

    private func install(_ weights: PolicyWeights) -> WorkerMessage {
        do {
            if let adapter {
                try adapter.install(weights, into: model)
            } else {
                try PolicyWeightsLayout.check(weights, fits: model.parameters)
                weights.values.withUnsafeBufferPointer { model.backend.upload($0, to: model.parameters.values.pointer) }
            }
            version = weights.version
            return .installed(version: weights.version)
        } catch {
            return .refused(version: weights.version, reason: "\(error)")  // the old version stays
        }
    }

    private func answer(_ task: RolloutTask) -> WorkerMessage {
        guard version == task.policyVersion else {
            return .failed(task: task.id, reason: "holds policy v\(version.map(String.init) ?? "none"), task needs v\(task.policyVersion)")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            var rollout = try RolloutSampling.run(task, generator: generator, version: task.policyVersion)
            rollout.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return .rollout(rollout)
        } catch {
            return .failed(task: task.id, reason: "\(error)")
        }
    }
}
