import Models
import Training
import Wire

/// What a reference worker does with a request: log p_ref of every response token under the frozen
/// reference at the request's temperature, scored without keeping the logits (`CausalLM.scoreTokens`).
package enum ReferenceScoring {
    /// The reference log-probs of `request`'s responses under `reference`.
    package static func run(_ request: SequenceRequest, reference: CausalLM, padID: Int) throws -> ReferenceResult {
        let batch = try RolloutBatch(queries: request.queries, responses: request.responses, padID: padID)
        let scored = try reference.scoreTokens(batch.tokens, targets: batch.targets, temperature: request.temperature)
        let T = batch.length, start = (request.queries.map(\.count).max() ?? 1) - 1
        let rows = request.responses.enumerated().map { b, response in
            (0..<response.count).map { scored.logProbs[b * T + start + $0] }
        }
        return ReferenceResult(id: request.id, logProbs: rows)
    }
}
