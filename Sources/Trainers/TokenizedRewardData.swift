import Datasets
import ModelIO
import Models
import Training

/// A reward model's data as token rows, each cut to `--max-len` from the left with the tokenizer's
/// special tokens kept around it (`RewardRow`): pairs as the chosen and rejected texts (prompt + response),
/// labelled texts with their labels.
package struct TokenizedRewardData {
    /// The rows.
    package enum Rows {
        case pairs(chosen: [[Int]], rejected: [[Int]])
        case labelled(texts: [[Int]], labels: [Int])
    }

    package let rows: Rows
    /// Texts that lost their start to the length limit.
    package let truncated: Int

    /// Pairs or labelled texts.
    package var count: Int {
        switch rows {
        case .pairs(let chosen, _): chosen.count
        case .labelled(let texts, _): texts.count
        }
    }

    /// Tokenizes `texts` with `tokenizer`, each row at most `maxLength` ids.
    package init(_ texts: RewardTexts, tokenizer: any Tokenizer, maxLength: Int) {
        let special = tokenizer.defaultSpecialTokens
        var truncated = 0
        func row(_ text: String) -> [Int] {
            let row = RewardRow(plain: tokenizer.encode(text, addSpecialTokens: false, keeping: maxLength, from: .end), prefix: special.prefix,
                                suffix: special.suffix, maxLength: maxLength)
            if row.truncated { truncated += 1 }
            return row.ids
        }
        switch texts {
        case .pairs(let pairs):
            rows = .pairs(chosen: pairs.map { row($0.prompt + $0.chosen) }, rejected: pairs.map { row($0.prompt + $0.rejected) })
        case .labelled(let labelled):
            rows = .labelled(texts: labelled.map { row($0.text) }, labels: labelled.map(\.label))
        }
        self.truncated = truncated
    }

    /// The held-out loss and accuracy under `model` now (`margin` as in training), scored `batch` rows a
    /// pass with `padID` padding; nil for no data.
    package func evaluate(_ model: SequenceClassifier, padID: Int, batch: Int, margin: Double) throws -> RewardLoss.Result? {
        guard count > 0 else { return nil }
        func rewards(_ rows: [[Int]]) throws -> [Double] {
            try RewardBatch.rewards(of: model, rows: rows, padID: padID, batchSize: batch)
        }
        switch rows {
        case let .pairs(chosen, rejected):
            let rc = try rewards(chosen)
            let rr = try rewards(rejected)
            return RewardLoss.bradleyTerry(chosen: rc, rejected: rr, margins: margin == 0 ? nil : Array(repeating: margin, count: count))
        case let .labelled(texts, labels):
            return RewardLoss.binaryCrossEntropy(logits: try rewards(texts), labels: labels)
        }
    }
}
