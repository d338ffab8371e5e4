import Foundation
import Generation
import ModelIO
import Models
import Training

/// Reads a `PPORunConfig` key by key from the config tree, checking types and ranges.
struct RunConfigReader {
    let root: ConfigNode

    func read() throws(RunConfigError) -> PPORunConfig {
        var c = PPORunConfig()
        let r = root
        c.ppo.learningRate = try number(r, "learning_rate", c.ppo.learningRate, above: 0, atMost: 1)
        c.ppo.batchSize = try count(r, "batch_size", c.ppo.batchSize, atMost: Self.maximumRows)
        c.ppo.miniBatchSize = try count(r, "mini_batch_size", c.ppo.miniBatchSize, atMost: Self.maximumRows)
        c.ppo.ppoEpochs = try count(r, "ppo_epochs", c.ppo.ppoEpochs, atMost: 1000)
        c.initKLCoefficient = try number(r, "init_kl_coef", c.initKLCoefficient, from: 0, atMost: 1000)
        c.adaptiveKL = try r.bool("adap_kl_ctrl") ?? c.adaptiveKL
        c.klTarget = try number(r, "target", c.klTarget, above: 0, atMost: 1e6)
        c.klHorizon = try number(r, "horizon", c.klHorizon, above: 0, atMost: 1e12)
        c.ppo.gamma = try unit(r, "gamma", c.ppo.gamma)
        c.ppo.lambda = try unit(r, "lam", c.ppo.lambda)
        c.ppo.clipRange = try number(r, "cliprange", c.ppo.clipRange, above: 0, atMost: 100)
        c.ppo.valueClipRange = try number(r, "cliprange_value", c.ppo.valueClipRange, above: 0, atMost: 1e6)
        c.ppo.valueCoefficient = try number(r, "vf_coef", c.ppo.valueCoefficient, from: 0, atMost: 1000)
        c.ppo.entropyCoefficient = try number(r, "entropy_coef", c.ppo.entropyCoefficient, from: 0, atMost: 1000)
        c.ppo.whitenRewards = try r.bool("whiten_rewards") ?? c.ppo.whitenRewards
        if r.has("max_grad_norm") {
            c.ppo.maxGradNorm = try number(r, "max_grad_norm", 1, above: 0, atMost: 1e6)
        } else {
            _ = try r.double("max_grad_norm")
        }
        c.ppo.ratioThreshold = try number(r, "ratio_threshold", c.ppo.ratioThreshold, above: 0, atMost: 1e6)
        if let seed = try r.int("seed") {
            guard seed >= 0 else { throw .outOfRange(file: r.file, key: "seed", value: "\(seed)", requirement: ">= 0") }
            c.seed = UInt64(seed)
        }
        c.iterations = try count(r, "iterations", c.iterations, atMost: 1 << 24)
        c.evalEvery = try atLeastZero(r, "eval_every", c.evalEvery)
        c.saveEvery = try atLeastZero(r, "save_every", c.saveEvery)
        c.maxStaleness = try atLeastZero(r, "max_staleness", c.maxStaleness)
        // the learner keeps a copy of the policy per version a running round may still sample with
        guard c.maxStaleness <= 8 else {
            throw .outOfRange(file: r.file, key: r.key("max_staleness"), value: "\(c.maxStaleness)", requirement: "between 0 and 8")
        }
        if let name = try r.string("advantage") {
            guard let estimator = AdvantageEstimator(rawValue: name) else {
                throw .outOfRange(file: r.file, key: "advantage", value: "'\(name)'",
                                  requirement: AdvantageEstimator.allCases.map(\.rawValue).joined(separator: ", "))
            }
            c.advantage = estimator
        }
        c.samplesPerPrompt = try count(r, "samples_per_prompt", c.advantage == .gae ? 1 : 2, atMost: 256)
        if c.advantage != .gae && c.samplesPerPrompt < 2 {
            throw .outOfRange(file: r.file, key: "samples_per_prompt", value: "\(c.samplesPerPrompt)",
                              requirement: ">= 2 with advantage \(c.advantage.rawValue)")
        }
        guard c.ppo.batchSize % c.samplesPerPrompt == 0 else {
            throw .outOfRange(file: r.file, key: "batch_size", value: "\(c.ppo.batchSize)",
                              requirement: "a multiple of samples_per_prompt (\(c.samplesPerPrompt))")
        }
        guard c.ppo.miniBatchSize <= c.ppo.batchSize else {
            throw .outOfRange(file: r.file, key: "mini_batch_size", value: "\(c.ppo.miniBatchSize)",
                              requirement: "at most batch_size (\(c.ppo.batchSize))")
        }
        if r.has("no_eos_penalty") {
            c.noEOSPenalty = try number(r, "no_eos_penalty", 0, from: -1e6, atMost: 1e6)
        } else {
            _ = try r.double("no_eos_penalty")
        }

        let policy = try r.child("policy")
        guard let model = try policy.string("model") else { throw .missingKey(file: r.file, key: "policy.model") }
        c.policyModel = model
        c.policyTokenizer = try policy.string("tokenizer")
        if let name = try policy.string("chat_template") {
            guard (try? ChatTemplateSelector.template(named: name)) != nil else {
                throw .outOfRange(file: r.file, key: "policy.chat_template", value: "'\(name)'",
                                  requirement: ChatTemplateSelector.names.joined(separator: ", "))
            }
            c.chatTemplate = name
        }
        try policy.finish()
        let reference = try r.child("reference")
        c.referenceModel = try reference.string("model")
        try reference.finish()
        let critic = try r.child("critic")
        c.criticModel = try critic.string("model")
        try critic.finish()
        let lora = try r.child("lora")
        if let rank = try lora.int("rank") {
            guard rank >= 1, rank <= 1 << 12 else {
                throw .outOfRange(file: r.file, key: "lora.rank", value: "\(rank)", requirement: "between 1 and 4096")
            }
            let alpha = lora.has("alpha") ? try number(lora, "alpha", 1, above: 0, atMost: 1e6) : try lora.double("alpha")
            let targets = try lora.string("targets").map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            c.lora = LoRAConfig(rank: rank, alpha: alpha, targets: targets ?? [])
        } else {
            let alpha = try lora.double("alpha"), targets = try lora.string("targets")
            if alpha != nil || targets != nil { throw .missingKey(file: r.file, key: "lora.rank") }
        }
        try lora.finish()

        let reward = try r.child("reward")
        let function = try reward.string("function"), rewardModel = try reward.string("model")
        let lexicon = try reward.string("lexicon")
        switch (function, rewardModel) {
        case ("vader"?, nil): c.reward = .vader(lexicon: lexicon ?? "models/vader")
        case (nil, let path?):
            if lexicon != nil { throw .unknownKey(file: r.file, key: "reward.lexicon", known: ["model"]) }
            c.reward = .model(path: path)
        case (let name?, nil):
            throw .outOfRange(file: r.file, key: "reward.function", value: "'\(name)'", requirement: "vader")
        case (_?, _?): throw .outOfRange(file: r.file, key: "reward", value: "both function and model", requirement: "one of them")
        case (nil, nil): throw .missingKey(file: r.file, key: "reward.function or reward.model")
        }
        try reward.finish()

        let data = try r.child("data")
        c.data.format = try data.string("format") ?? "imdb"
        guard ["imdb", "hh"].contains(c.data.format) else {
            throw .outOfRange(file: r.file, key: "data.format", value: "'\(c.data.format)'", requirement: "imdb or hh")
        }
        guard let train = try data.string("train") else { throw .missingKey(file: r.file, key: "data.train") }
        guard let eval = try data.string("eval") else { throw .missingKey(file: r.file, key: "data.eval") }
        c.data.train = train
        c.data.eval = eval
        if let range = try data.ints("prompt_tokens") {
            guard range.count == 2, range[0] >= 1, range[0] <= range[1], range[1] <= 1 << 16 else {
                throw .outOfRange(file: r.file, key: "data.prompt_tokens", value: "\(range)", requirement: "[min, max] with 1 <= min <= max")
            }
            c.data.promptTokens = range[0]...range[1]
        }
        c.data.evalPrompts = try count(data, "eval_prompts", c.data.evalPrompts, atMost: Self.maximumRows)
        if c.chatTemplate != nil && c.data.format != "hh" {
            throw .outOfRange(file: r.file, key: "policy.chat_template", value: "set with data.format \(c.data.format)",
                              requirement: "used with data.format hh (IMDb prompts are the starts of reviews, not chat turns)")
        }
        if c.data.format == "hh" {
            c.data.evalFraction = try unit(data, "eval_fraction", c.data.evalFraction)
            c.data.maxPromptTokens = try count(data, "max_prompt_tokens", c.data.maxPromptTokens, atMost: Self.maximumTokens)
        }
        try data.finish()

        let generation = try r.child("generation")
        var g = c.generation
        g.maxNewTokens = try count(generation, "max_new_tokens", g.maxNewTokens, atMost: Self.maximumTokens)
        g.temperature = Float(try number(generation, "temperature", Double(g.temperature), from: 0.01, atMost: 100))
        g.topK = try atLeastZero(generation, "top_k", g.topK)
        g.topP = Float(try unit(generation, "top_p", Double(g.topP)))
        g.minP = Float(try unitOpen(generation, "min_p", Double(g.minP)))
        if let problem = g.problem() { throw .outOfRange(file: r.file, key: "generation", value: "these settings", requirement: problem) }
        c.generation = g
        c.ppo.temperature = g.temperature
        try generation.finish()

        let roles = try r.child("roles")
        c.rolloutWorkers = try count(roles, "rollout", c.rolloutWorkers, atMost: Self.maximumWorkers)
        c.rewardWorkers = try count(roles, "reward", c.rewardWorkers, atMost: Self.maximumWorkers)
        c.referenceWorkers = try count(roles, "reference", c.referenceWorkers, atMost: Self.maximumWorkers)
        c.taskRows = try count(roles, "task_rows", c.taskRows, atMost: Self.maximumRows)
        try roles.finish()
        try r.finish()
        return c
    }

    /// Every path the config names must exist.
    static func checkPaths(_ c: inout PPORunConfig, file: String) throws(RunConfigError) {
        for (key, path) in c.namedPaths where !FileManager.default.fileExists(atPath: path) {
            throw .missingPath(file: file, key: key, path: path)
        }
    }

    // MARK: ranged getters

    /// Rows of one batch at most (`batch_size`, `eval_prompts`, `task_rows`): each costs a sequence's
    /// activations; the memory a whole batch needs is checked once the model's size is known.
    static let maximumRows = 1 << 16
    /// Tokens of one prompt or response at most (the models' positions are fewer).
    static let maximumTokens = 1 << 16
    /// Worker actors (or processes) of one role at most.
    static let maximumWorkers = 256

    /// A number in (`above`, `atMost`], or `fallback` when absent.
    private func number(_ n: ConfigNode, _ key: String, _ fallback: Double, above: Double, atMost: Double) throws(RunConfigError) -> Double {
        guard let v = try n.double(key) else { return fallback }
        guard v > above, v <= atMost else {
            throw .outOfRange(file: n.file, key: n.key(key), value: "\(v)", requirement: "above \(above) and at most \(atMost)")
        }
        return v
    }

    /// A number in [`from`, `atMost`], or `fallback` when absent.
    private func number(_ n: ConfigNode, _ key: String, _ fallback: Double, from: Double, atMost: Double) throws(RunConfigError) -> Double {
        guard let v = try n.double(key) else { return fallback }
        guard v >= from, v <= atMost else {
            throw .outOfRange(file: n.file, key: n.key(key), value: "\(v)", requirement: "between \(from) and \(atMost)")
        }
        return v
    }

    private func unit(_ n: ConfigNode, _ key: String, _ fallback: Double) throws(RunConfigError) -> Double {
        guard let v = try n.double(key) else { return fallback }
        guard v > 0, v <= 1 else { throw .outOfRange(file: n.file, key: n.key(key), value: "\(v)", requirement: "in (0, 1]") }
        return v
    }

    private func unitOpen(_ n: ConfigNode, _ key: String, _ fallback: Double) throws(RunConfigError) -> Double {
        guard let v = try n.double(key) else { return fallback }
        guard v >= 0, v < 1 else { throw .outOfRange(file: n.file, key: n.key(key), value: "\(v)", requirement: "in [0, 1)") }
        return v
    }

    private func count(_ n: ConfigNode, _ key: String, _ fallback: Int, atMost: Int) throws(RunConfigError) -> Int {
        guard let v = try n.int(key) else { return fallback }
        guard v >= 1, v <= atMost else {
            throw .outOfRange(file: n.file, key: n.key(key), value: "\(v)", requirement: "between 1 and \(atMost)")
        }
        return v
    }

    private func atLeastZero(_ n: ConfigNode, _ key: String, _ fallback: Int) throws(RunConfigError) -> Int {
        guard let v = try n.int(key) else { return fallback }
        guard v >= 0, v <= 1 << 24 else {
            throw .outOfRange(file: n.file, key: n.key(key), value: "\(v)", requirement: "between 0 and \(1 << 24)")
        }
        return v
    }
}
