import Foundation
import ModelIO
import Models
import Trainers
import Training

/// A reward model's score, as TRL's sentiment example takes it: the prompt and the response are decoded
/// with the policy's tokenizer, joined as text, encoded with the reward model's own tokenizer (cut from
/// the left to its positions, so the response stays, its special tokens such as BERT's [CLS] … [SEP]
/// kept around what remains), and scored by the sequence classifier.
package struct ClassifierReward: RewardFunction {
    /// The frozen classifier.
    package let classifier: SequenceClassifier
    /// Its tokenizer, and the policy's.
    package let tokenizer: any Tokenizer, policyTokenizer: any Tokenizer

    /// A reward from `classifier` (frozen here) reading text through `tokenizer`.
    package init(classifier: SequenceClassifier, tokenizer: any Tokenizer, policyTokenizer: any Tokenizer) {
        classifier.freeze()
        self.classifier = classifier
        self.tokenizer = tokenizer
        self.policyTokenizer = policyTokenizer
    }

    /// Reads the reward model folder `path` (`reward.model`) with its own tokenizer, through the one
    /// reward-model loader (`RewardModel.load`).
    package static func load(path: String, policyTokenizer: any Tokenizer) throws -> ClassifierReward {
        let model = try RewardModel.load(path: path, tokenizerPath: nil, needsTokenizer: true)
        guard let tokenizer = model.tokenizer else { throw ModelBundleError.noTokenizer(model: path) }
        return ClassifierReward(classifier: model.classifier, tokenizer: tokenizer, policyTokenizer: policyTokenizer)
    }

    /// The text scored for one row: decoded prompt + decoded response.
    package func text(query: [Int], response: [Int]) -> String {
        RewardText.of(query, tokenizer: policyTokenizer) + RewardText.of(response, tokenizer: policyTokenizer)
    }

    package func scores(queries: [[Int]], responses: [[Int]]) throws -> [Float] {
        let limit = classifier.config.maxPositions, special = tokenizer.defaultSpecialTokens
        let rows = zip(queries, responses).map { query, response in
            RewardRow(plain: tokenizer.encode(text(query: query, response: response), addSpecialTokens: false),
                      prefix: special.prefix, suffix: special.suffix, maxLength: limit).ids
        }
        return try classifier.rewards(rows: rows)
    }

    package func replica() -> any RewardFunction {
        let copy = SequenceClassifier(config: classifier.config, parameters: classifier.parameters.copy(),
                                      head: ScalarHead(copying: classifier.head), padTokenID: classifier.padTokenID,
                                      pooling: classifier.pooling, backend: classifier.backend)
        return ClassifierReward(classifier: copy, tokenizer: tokenizer, policyTokenizer: policyTokenizer)
    }
}
