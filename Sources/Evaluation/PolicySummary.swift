import Foundation

/// One policy's line of `eval.json`: what `rlhf eval` measured over all its responses, each mean with its
/// standard error, so a script can compare policies without reading the report.
package struct PolicySummary: Sendable, Equatable, Codable {
    /// The policy's name in the report and the path it was read from.
    package var policy: String, path: String
    /// Responses measured.
    package var count: Int
    /// The reward: mean, standard error of the mean, and sample standard deviation.
    package var rewardMean: Double, rewardStderr: Double, rewardStd: Double
    /// The KL to the reference per response (nil without a reference).
    package var klMean: Double?, klStderr: Double?
    /// VADER's compound sentiment of the responses.
    package var sentimentMean: Double, sentimentStderr: Double
    /// The harmlessness reward model's score (nil without one); higher is more harmless.
    package var harmlessnessMean: Double?, harmlessnessStderr: Double?
    /// Distinct-1 and distinct-2 over all responses' words.
    package var distinct1: Double, distinct2: Double
    /// Response length in tokens: mean and standard error.
    package var lengthMean: Double, lengthStderr: Double
    /// The share of responses that ended with EOS.
    package var eosShare: Double
    /// The reward's histogram over the bins every policy of the evaluation shares.
    package var rewardHistogram: Histogram
    /// The reward gain over the first policy of the evaluation, and the standard error of that difference
    /// (the two means' standard errors combined as independent); nil for the first policy.
    package var rewardGain: Double? = nil, rewardGainStderr: Double? = nil

    /// Counts over equal bins from `lower` to `upper`.
    package struct Histogram: Sendable, Equatable, Codable {
        package var lower: Double, upper: Double, counts: [Int]
    }

    enum CodingKeys: String, CodingKey {
        case policy, path, count
        case rewardMean = "reward_mean", rewardStderr = "reward_stderr", rewardStd = "reward_std"
        case klMean = "kl_mean", klStderr = "kl_stderr"
        case sentimentMean = "sentiment_mean", sentimentStderr = "sentiment_stderr"
        case harmlessnessMean = "harmlessness_mean", harmlessnessStderr = "harmlessness_stderr"
        case distinct1 = "distinct_1", distinct2 = "distinct_2"
        case lengthMean = "length_mean", lengthStderr = "length_stderr", eosShare = "eos_share"
        case rewardHistogram = "reward_histogram"
        case rewardGain = "reward_gain", rewardGainStderr = "reward_gain_stderr"
    }

    /// The summary of `responses` (non-empty, every number finite) under the name `policy`, its reward
    /// counted in `bins` bins over `range`.
    package init?(policy: String, path: String, responses: [EvaluatedResponse], bins: Int, range: ClosedRange<Double>) {
        guard let reward = SampleStatistics.mean(responses.map(\.reward)),
              let sentiment = SampleStatistics.mean(responses.map(\.sentiment)),
              let length = SampleStatistics.mean(responses.map { Double($0.tokens) }) else { return nil }
        let kl = SampleStatistics.mean(responses.compactMap(\.kl))
        let harmless = SampleStatistics.mean(responses.compactMap(\.harmlessness))
        self.policy = policy
        self.path = path
        count = responses.count
        rewardMean = reward.mean
        rewardStderr = reward.standardError
        rewardStd = reward.standardError * Double(reward.count).squareRoot()
        klMean = kl?.mean
        klStderr = kl?.standardError
        sentimentMean = sentiment.mean
        sentimentStderr = sentiment.standardError
        harmlessnessMean = harmless?.mean
        harmlessnessStderr = harmless?.standardError
        let texts = responses.map(\.response)
        distinct1 = SampleStatistics.distinct(1, of: texts)
        distinct2 = SampleStatistics.distinct(2, of: texts)
        lengthMean = length.mean
        lengthStderr = length.standardError
        eosShare = Double(responses.filter(\.endedWithEOS).count) / Double(responses.count)
        rewardHistogram = Histogram(lower: range.lowerBound, upper: range.upperBound,
                                    counts: SampleStatistics.histogram(responses.map(\.reward), bins: bins, range: range))
    }

    /// `summaries` with each one's reward gain over the first.
    package static func withGains(_ summaries: [PolicySummary]) -> [PolicySummary] {
        guard let base = summaries.first else { return [] }
        return summaries.enumerated().map { index, summary in
            guard index > 0 else { return summary }
            var gained = summary
            gained.rewardGain = summary.rewardMean - base.rewardMean
            gained.rewardGainStderr = (base.rewardStderr * base.rewardStderr + summary.rewardStderr * summary.rewardStderr).squareRoot()
            return gained
        }
    }

    /// The range every policy's reward histogram shares: the smallest and largest reward of all, widened
    /// a little when they are equal.
    package static func sharedRange(_ rewards: [Double]) -> ClosedRange<Double> {
        let finite = rewards.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0...1 }
        return low < high ? low...high : (low - 0.5)...(high + 0.5)
    }
}

extension PolicySummary {
    /// "+0.137 (2.9 SE)": the reward gain over the first policy in its standard errors; nil for the first.
    package var gainText: String? {
        guard let gain = rewardGain, let error = rewardGainStderr else { return nil }
        let sign = gain >= 0 ? "+" : ""
        return sign + String(format: "%.3f", gain) + (error > 0 ? String(format: " (%.1f SE)", gain / error) : "")
    }
}
