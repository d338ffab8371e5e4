import Models

extension HFCheckpoint {
    /// Which buffer of a parameter store to export.
    public enum StoreBuffer: Sendable {
        /// Parameter values.
        case values
        /// Parameter gradients (must be enabled).
        case gradients
    }

    /// Every tensor of `store` under its Hugging Face key, in Hugging Face layout (GPT-2 Conv1D weights
    /// [in, out], Llama's q/k/v and gate/up split out). Used to compare gradients with PyTorch dumps.
    /// Without `lmHead` the store is a sequence classifier's trunk.
    public static func tensors(config: TransformerConfig, store: ParameterStore, from buffer: StoreBuffer = .values,
                               lmHead: Bool = true) throws -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for binding in HFKeyMap.bindings(for: config, lmHead: lmHead) {
            let source = buffer == .values ? store.value(binding.parameter) : store.gradient(binding.parameter)
            out[binding.hfKey] = [Float](unsafeUninitializedCapacity: binding.count) { b, n in
                extract(binding, from: source, backend: store.backend, into: b.baseAddress!)
                n = binding.count
            }
        }
        return out
    }
}
