import Models
import Wire

/// A generator's side of a LoRA run (docs/PROTOCOL.md section 7): the learner publishes only the adapter
/// (A and B of every adapted projection: megabytes, not the model), and the generator merges each version
/// into its own copy of the base, which it keeps as loaded. Merging is the learner's own computation
/// (`LoRAAdapter.merge`, on the same base with the same values), so the generator samples from the very
/// weights the learner would have sent whole.
package final class AdapterInstall {
    /// The base weights, as loaded (never changed).
    let base: ParameterStore
    /// The adapter the published values go into.
    package let adapter: LoRAAdapter

    /// An install for an adapter of `config` over `base` (the base weights, never written: generators of
    /// one process share one), by default a copy of `model`'s current weights.
    package init(model: CausalLM, config: LoRAConfig, base: ParameterStore? = nil) throws {
        self.base = base ?? model.parameters.copy()
        adapter = try LoRAAdapter(config: config, model: model.config, backend: model.backend, seed: 0)
    }

    /// The tensors each published version holds: the adapter's.
    package var layout: [WeightTensor] { PolicyWeightsLayout.manifest(of: adapter.parameters) }

    /// Takes version `weights` of the adapter into `model`: its weights become the base with the adapter
    /// merged in. Throws (and changes nothing) when the message does not fit the adapter.
    package func install(_ weights: PolicyWeights, into model: CausalLM) throws {
        try PolicyWeightsLayout.check(weights, fits: adapter.parameters)
        weights.values.withUnsafeBufferPointer { adapter.parameters.backend.upload($0, to: adapter.parameters.values.pointer) }
        // only the adapted rows ever change: restore them from the base, then merge (the rest is the base already)
        for slot in adapter.slots {
            let name = slot.baseWeight(model.config.architecture)
            guard let spec = base.spec(named: name), spec.shape.count == 2, spec.shape[1] == slot.inFeatures,
                  spec.shape[0] >= slot.rowOffset + slot.rows else { throw LoRAError.modelMismatch("no base weight \(name) for \(slot.name)") }
            let start = slot.rowOffset * slot.inFeatures
            model.backend.copy(from: base.value(name) + start, to: model.parameters.value(name) + start, count: slot.rows * slot.inFeatures)
        }
        try adapter.merge(into: model.parameters)
    }
}

extension PPORunConfig {
    /// The run's LoRA adapter settings for a policy of `architecture` (the default targets when none are
    /// named), or nil for full fine-tuning.
    package func loraConfig(for architecture: Architecture) -> LoRAConfig? {
        lora.map { LoRAConfig(rank: $0.rank, alpha: $0.alpha, targets: $0.targets.isEmpty ? LoRAConfig.defaultTargets(for: architecture) : $0.targets) }
    }
}
