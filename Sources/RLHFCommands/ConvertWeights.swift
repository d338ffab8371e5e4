import Foundation
import ModelIO
import Models

/// The weights `rlhf convert` writes: a causal LM, or a sequence classifier (a reward model), each saved
/// as the Hugging Face class it was read as.
enum ConvertWeights {
    /// A causal LM's config and parameters (`HFCheckpoint`).
    case causalLM(TransformerConfig, ParameterStore)
    /// A one-label sequence classifier (`HFSequenceClassifier`).
    case classifier(SequenceClassifier)

    /// Writes config.json and model.safetensors into `folder`.
    func save(to folder: URL) throws {
        switch self {
        case let .causalLM(config, parameters): try HFCheckpoint.save(config: config, store: parameters, to: folder)
        case .classifier(let model): try HFSequenceClassifier.save(model, to: folder)
        }
    }

    /// The number of parameters written.
    var parameterCount: Int {
        switch self {
        case .causalLM(_, let parameters): parameters.parameterCount
        case .classifier(let model): model.parameters.parameterCount + model.head.parameters.parameterCount
        }
    }
}
