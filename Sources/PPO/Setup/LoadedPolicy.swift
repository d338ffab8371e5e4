import Foundation
import ModelIO
import Models

/// The policy model a run starts from, read once: its config, starting weights and tokenizer. The
/// learner trains it; generators copy it; when the config names no reference, the reference is it too.
package struct LoadedPolicy: Sendable {
    /// The model's hyper-parameters.
    package let config: TransformerConfig
    /// The starting weights.
    package let parameters: ParameterStore
    /// The tokenizer (nil when not asked for).
    package let tokenizer: (any Tokenizer)?
    /// The chat template the model's metadata names, if any.
    package let chatTemplateSource: String?

    /// Reads `config.policyModel` (and its tokenizer when `tokenizer` is true).
    package static func load(_ config: PPORunConfig, tokenizer: Bool = true) throws -> LoadedPolicy {
        let bundle = try ModelBundle.load(path: config.policyModel, tokenizerPath: config.policyTokenizer,
                                          requireTokenizer: tokenizer, loadsTokenizer: tokenizer)
        if tokenizer && bundle.tokenizer == nil { throw ModelBundleError.noTokenizer(model: config.policyModel) }
        return LoadedPolicy(config: bundle.config, parameters: bundle.parameters, tokenizer: bundle.tokenizer,
                            chatTemplateSource: bundle.chatTemplateSource)
    }

    /// The token that pads rows (the first end-of-sequence id, else 0).
    package var padID: Int { Self.padID(config) }

    /// The token that pads rows of a model of `config`.
    package static func padID(_ config: TransformerConfig) -> Int { config.eosTokenIDs.first ?? 0 }

    /// A frozen model over a copy of the starting weights (a generator's copy, or a second reference).
    package func frozenCopy() -> CausalLM {
        let model = CausalLM(config: config, parameters: parameters.copy())
        model.freeze()
        return model
    }

    /// The tokenizer, or an error naming the model when it was not loaded.
    package func requireTokenizer(_ run: PPORunConfig) throws -> any Tokenizer {
        guard let tokenizer else { throw ModelBundleError.noTokenizer(model: run.policyModel) }
        return tokenizer
    }
}
