import Models
import Tensor

/// Errors generation reports on bad requests.
public struct GenerationError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// A sampling setting out of range.
        case invalidParameters(String)
        /// No prompt, or an empty one.
        case emptyPrompt(index: Int)
        /// Prompt plus new tokens exceed the model's positions.
        case tooLong(needed: Int, maxPositions: Int)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// A sampling setting out of range.
    public static func invalidParameters(_ v0: String) -> GenerationError { GenerationError(.invalidParameters(v0)) }
    /// No prompt, or an empty one.
    public static func emptyPrompt(index: Int) -> GenerationError { GenerationError(.emptyPrompt(index: index)) }
    /// Prompt plus new tokens exceed the model's positions.
    public static func tooLong(needed: Int, maxPositions: Int) -> GenerationError { GenerationError(.tooLong(needed: needed, maxPositions: maxPositions)) }

    /// A one-line description.
    public var description: String {
        switch code {
        case .invalidParameters(let why): "invalid sampling parameters: \(why)"
        case .emptyPrompt(let i): "prompt \(i) is empty: generation needs at least one token"
        case let .tooLong(needed, maxP): "prompt plus new tokens need \(needed) positions but the model has \(maxP)"
        }
    }
}

/// Batched sampling with a preallocated KV cache.
///
/// Prompts of different lengths are left-padded; position ids follow the mask (cumsum − 1) so a padded
/// row computes exactly what it would alone. Each row draws from its own random stream derived from
/// the seed and its index, so a row's samples do not depend on the other rows in the batch.
public final class Generator {
    /// The model sampled from.
    public let model: CausalLM
    /// Token used for left padding (any valid id: padded positions are masked out).
    public let padID: Int

    /// When `generate` multiplies by a packed snapshot of the weights.
    public let weightPacking: WeightPacking
    private var packed: PackedWeights?

    /// A generator over `model`; `padID` defaults to the model's first EOS token or 0. `weightPacking`
    /// says for which batches each `generate` first snapshots the projection weights in the backend's
    /// packed layout (by default for batches of more than 16 prompts, where that is faster).
    public init(model: CausalLM, padID: Int? = nil, weightPacking: WeightPacking = .automatic) {
        self.model = model
        self.padID = padID ?? model.config.eosTokenIDs.first ?? 0
        self.weightPacking = weightPacking
    }

    /// The packed snapshot of the model's current weights for a batch of `batch` prompts (nil when this
    /// batch uses the stored weights), re-read from the parameters on every call so that updates between
    /// `generate` calls (training steps, loading) are always seen.
    private func currentPackedWeights(batch: Int) -> PackedWeights? {
        guard weightPacking.packs(batch: batch) else { return nil }
        if let packed {
            packed.refresh()
            return packed
        }
        let fresh = PackedWeights(model: model)
        packed = fresh
        return fresh
    }

    /// Generates continuations of `prompts`. `progress(step, maxSteps)` is called after each new token;
    /// `onToken(row, token)` for each token a row samples, as it is sampled.
    public func generate(prompts: [[Int]], parameters: SamplingParameters,
                         progress: ((Int, Int) -> Void)? = nil,
                         onToken: ((Int, Int) -> Void)? = nil) throws -> [GeneratedSequence] {
        if let problem = parameters.problem() { throw GenerationError.invalidParameters(problem) }
        guard !prompts.isEmpty else { throw GenerationError.emptyPrompt(index: 0) }
        if let i = prompts.firstIndex(where: \.isEmpty) { throw GenerationError.emptyPrompt(index: i) }
        let B = prompts.count, longest = prompts.map(\.count).max()!, V = model.config.vocabSize
        let capacity = longest + parameters.maxNewTokens
        guard capacity <= model.config.maxPositions else {
            throw GenerationError.tooLong(needed: capacity, maxPositions: model.config.maxPositions)
        }
        let cache = KVCache(config: model.config, batch: B, capacity: capacity, backend: model.backend)
        let weights = currentPackedWeights(batch: B)
        var rngs = (0..<B).map { SplitMix64(seed: parameters.seed &+ 0x5851_F42D_4C95_7F2D &* UInt64($0 + 1)) }
        var results = (0..<B).map { _ in GeneratedSequence(tokens: [], logprobs: [], finishReason: .length) }
        var finished = [Bool](repeating: false, count: B)
        var nextPositions = prompts.map { $0.count }
        let scratch = model.backend.makeBuffer(count: B * V)  // [B,V] sampling weights, one row per sequence

        var step = try TokenBatch(leftPadding: prompts, padID: padID)
        for n in 0..<parameters.maxNewTokens {
            let logits = try model.forwardCached(step, cache: cache, packed: weights)
            // rows sample in parallel on the backend: each has its own random stream and scratch row
            let active = (0..<B).filter { !finished[$0] }
            let picks = model.backend.sampleTokens(logits: logits, scratch: scratch.pointer, rows: active, vocab: V,
                                                   rule: parameters.rule, streams: &rngs)
            var newTokens = [Int](repeating: padID, count: B)
            for (b, pick) in zip(active, picks) {
                let (token, logprob) = (pick.token, pick.logprob)
                newTokens[b] = token
                results[b].tokens.append(token)
                results[b].logprobs.append(logprob)
                onToken?(b, token)
                if parameters.stopTokens.contains(token) {
                    finished[b] = true
                    results[b].finishReason = .stop
                }
            }
            progress?(n + 1, parameters.maxNewTokens)
            if finished.allSatisfy({ $0 }) || n + 1 == parameters.maxNewTokens { break }
            // finished rows keep stepping on a pad token (their outputs are ignored) so the batch stays rectangular
            step = try TokenBatch(ids: newTokens.map { [$0] }, positions: nextPositions.map { [$0] }, mask: nil)
            for b in 0..<B { nextPositions[b] += 1 }
        }
        return results
    }
}
