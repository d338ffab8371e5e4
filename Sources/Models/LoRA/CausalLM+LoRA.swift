extension CausalLM {
    /// The LoRA adapter attached to the model, if any.
    public var adapter: LoRAAdapter? { decoder.adapter }

    /// Attaches `adapter`: every later forward (training, scoring, generation) adds its updates, and a
    /// backward gives it gradients. With the base frozen (`freeze()` first), training touches only
    /// the adapter; a second `CausalLM` over the same frozen store without the adapter is the base
    /// model at no extra weight memory (DPO's and PPO's reference).
    public func attach(adapter: LoRAAdapter) throws(LoRAError) {
        guard adapter.model == config else {
            throw .modelMismatch("it was made for \(adapter.model.architecture.rawValue) with \(adapter.model.layers) layers of width \(adapter.model.width)")
        }
        decoder.adapter = adapter
    }

    /// Removes the adapter; the model is the base again.
    public func detachAdapter() { decoder.adapter = nil }

    /// The stores a trainer steps: the model's own parameters unless frozen, the value head's unless
    /// frozen, and the adapter's.
    public var trainableStores: [ParameterStore] {
        var stores: [ParameterStore] = []
        if !parameters.isFrozen { stores.append(parameters) }
        if let head = valueHead?.parameters, !head.isFrozen { stores.append(head) }
        if let adapter, !adapter.parameters.isFrozen { stores.append(adapter.parameters) }
        return stores
    }
}
