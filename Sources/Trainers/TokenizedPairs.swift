import Datasets
import ModelIO
import Models
import Training

/// Preference pairs as token ids, cut to a length, with their sequence log-probs under the frozen
/// reference (taken once, batch by batch, before any step).
package struct TokenizedPairs {
    /// Per pair: the prompt's ids and the two responses' (each response ends with the end-of-text token
    /// when the model has one, as TRL appends it).
    var prompts: [[Int]] = [], chosen: [[Int]] = [], rejected: [[Int]] = []
    /// The reference's log-probs of each chosen and rejected response (filled by `scoreReference`).
    var referenceChosen: [Double] = [], referenceRejected: [Double] = []

    package var count: Int { prompts.count }

    /// `pairs` encoded with `tokenizer`, each sequence at most `maxLength` tokens: the prompt is cut from
    /// the left (it keeps its end), then the response from the right.
    package init(_ pairs: [PreferencePair], tokenizer: any Tokenizer, eos: Int?, maxLength: Int) {
        for pair in pairs {
            // a text far past maxLength is cut before it is encoded: the prompt keeps its end, a response its start
            var prompt = tokenizer.encode(pair.prompt, addSpecialTokens: true, keeping: maxLength, from: .end)
            var responses = [pair.chosen, pair.rejected].map {
                tokenizer.encode($0, addSpecialTokens: false, keeping: maxLength, from: .start) + (eos.map { [$0] } ?? [])
            }
            let longest = responses.map(\.count).max() ?? 0
            if prompt.count + longest > maxLength { prompt = Array(prompt.suffix(max(1, maxLength - longest))) }
            if prompt.isEmpty { prompt = eos.map { [$0] } ?? [0] }
            responses = responses.map { Array($0.prefix(max(1, maxLength - prompt.count))) }
            prompts.append(prompt)
            chosen.append(responses[0].isEmpty ? [eos ?? 0] : responses[0])
            rejected.append(responses[1].isEmpty ? [eos ?? 0] : responses[1])
        }
    }

    /// The batch of pairs `indices`, with its reference log-probs laid out as `DPOUpdate` wants them.
    package func batch(_ indices: [Int], padID: Int) throws -> (RolloutBatch, [Double]) {
        (try rows(indices, padID: padID), indices.map { referenceChosen[$0] } + indices.map { referenceRejected[$0] })
    }

    /// The pairs `indices` as one batch of 2n rows.
    private func rows(_ indices: [Int], padID: Int) throws -> RolloutBatch {
        try DPOUpdate.batch(prompts: indices.map { prompts[$0] }, chosen: indices.map { chosen[$0] },
                            rejected: indices.map { rejected[$0] }, padID: padID)
    }

    /// The pairs `indices` as chunks of at most `size` pairs each (a step accumulates them one by one).
    package func chunks(_ indices: [Int], size: Int, padID: Int) throws -> [(batch: RolloutBatch, referenceLogProbs: [Double])] {
        try stride(from: 0, to: indices.count, by: size).map { start in
            try batch(Array(indices[start..<min(start + size, indices.count)]), padID: padID)
        }
    }

    /// Takes the reference's log-probs of every pair, `size` pairs at a time; `progress` hears the pairs done.
    package mutating func scoreReference(with update: DPOUpdate, size: Int, padID: Int, progress: (Int) -> Void = { _ in }) throws {
        referenceChosen = []; referenceRejected = []
        for start in stride(from: 0, to: count, by: size) {
            let indices = Array(start..<min(start + size, count))
            let scored = try update.referenceLogProbs(rows(indices, padID: padID))
            referenceChosen += scored[..<indices.count]
            referenceRejected += scored[indices.count...]
            progress(min(start + size, count))
        }
    }
}
