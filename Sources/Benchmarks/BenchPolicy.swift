import Models
import PPO
import Tensor
import Wire

/// The policy whose weights the transport bench publishes: a random-weight store laid out as a model's
/// parameters (`--model`), or as `--floats` floats in tensors of at most 1 Mi floats, published the way
/// `PPOLearner` publishes its snapshot (`PolicyWeightsLayout.publish`).
package struct BenchPolicy {
    /// The store the published versions borrow their values from.
    let store: ParameterStore
    /// What `store` models, for the report (`gpt2-small`, or `1000000 floats`).
    package let name: String

    /// A store of `model`'s layout, or of `floats` floats when given; random values unless
    /// `initialized` is false (a generator stand-in needs only the layout: its pages are never touched).
    /// With `loraRank`, the store is a LoRA adapter of that rank on `model`'s default targets (what a LoRA
    /// run publishes).
    package init(model: BenchModel, floats: Int?, loraRank: Int? = nil, initialized: Bool = true) throws {
        let specs: [(String, [Int], ParameterRole)]
        if let loraRank {
            let adapter = try LoRAAdapter(config: LoRAConfig(rank: loraRank, targets: LoRAConfig.defaultTargets(for: model.config.architecture)),
                                          model: model.config)
            specs = adapter.parameters.specs.map { ($0.name, $0.shape, $0.role) }
            name = "\(model.rawValue) LoRA r\(loraRank)"
        } else if let floats {
            let piece = 1 << 20
            specs = stride(from: 0, to: floats, by: piece).enumerated().map { i, start in
                ("bench.\(i)", [min(piece, floats - start)], .matrix)
            }
            name = "\(floats) floats"
        } else {
            specs = ParameterLayout.specs(for: model.config)
            name = model.rawValue
        }
        store = ParameterStore(specs: specs, backend: DefaultBackend.current)
        if initialized { store.initializeRandom(seed: 0) }
    }

    /// The tensors a generator expects.
    package var layout: [WeightTensor] { PolicyWeightsLayout.manifest(of: store) }

    /// Floats and bytes of one version.
    var floats: Int { store.count }
    package var bytes: Int { store.count * 4 }

    /// Version `version` of the weights (replacing the one before it).
    package func publish(version: Int) -> PolicyWeights {
        PolicyWeightsLayout.publish(store, version: version, replaces: version > 1 ? version - 1 : nil)
    }
}
