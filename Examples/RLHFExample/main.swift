// The RLHF pipeline from Swift, with `import RLHF` alone, on the shared fixtures' data and the
// 260K-parameter stories model: a reward model, supervised fine-tuning, DPO and three PPO iterations.
// Each stage prints one JSON line with its numbers. `make examples` builds and runs it.
//
// Paths follow RLHF_SHARED (default ../shared) and RLHF_MODELS (default models), as the tests do, and
// RLHF_PPO_CONFIG (default: the repository's cluster/configs/sentiment-stories260k.yaml).
import Foundation
import RLHF

let environment = ProcessInfo.processInfo.environment
let shared = URL(fileURLWithPath: environment["RLHF_SHARED"] ?? "../shared")
let models = environment["RLHF_MODELS"] ?? "models"
let stories = shared.appendingPathComponent("data/stories260K/stories260K.bin").path
let tok512 = shared.appendingPathComponent("data/stories260K/tok512.bin").path
let work = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-example-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

/// Prints `result` as one JSON line, with the stage's name.
func report<Result: Encodable>(_ stage: String, _ result: Result) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var object = try JSONSerialization.jsonObject(with: encoder.encode(result)) as? [String: Any] ?? [:]
    object["stage"] = stage
    let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: line, as: UTF8.self))
}

// 1. The policy as a Hugging Face folder (what a reward model starts from), written by the same code
//    `rlhf convert` uses.
let bundle = try ModelBundle.load(path: stories, tokenizerPath: tok512, requireTokenizer: true)
guard let tokenizer = bundle.tokenizer else { fatalError("stories260K has no tokenizer") }
let policyFolder = work.appendingPathComponent("stories-hf")
try HFCheckpoint.save(config: bundle.config, store: bundle.parameters, to: policyFolder)
try TokenizerJSONWriter.files(for: tokenizer, modelMaxLength: bundle.config.maxPositions, source: tok512).write(to: policyFolder)

// 2. A reward model: the stories trunk under a fresh head, trained with binary cross-entropy on labelled
//    IMDb reviews (sentiment), 64 to train on and 32 held out.
let reviews = try IMDbReviews.load(path: shared.appendingPathComponent("data/imdb-test.jsonl.gz").path)
let labelled = (reviews.filter { $0.label == 1 }.prefix(48) + reviews.filter { $0.label == 0 }.prefix(48))
    .map { LabelledText(text: $0.text, label: $0.label) }
let (backbone, rewardTokenizer) = try RewardBackbone.load(path: policyFolder.path, tokenizerPath: nil, pooling: .mean, seed: 0)
var rewardSettings = RewardTrainingSettings()
(rewardSettings.epochs, rewardSettings.learningRate, rewardSettings.batch, rewardSettings.maxLength) = (2, 1e-3, 8, 64)
let rewardTrainer = try RewardModelTrainer(model: backbone, tokenizer: rewardTokenizer,
                                           train: .labelled(labelled.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)),
                                           heldOut: .labelled(labelled.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)),
                                           settings: rewardSettings)
try report("reward model", try rewardTrainer.run(metrics: work.appendingPathComponent("reward/metrics.jsonl")))

// 3. Supervised fine-tuning on prompt/response pairs cut from the reviews.
let examples = reviews.prefix(40).map { review -> SupervisedExample in
    let words = review.text.split(separator: " ")
    return SupervisedExample(prompt: words.prefix(6).joined(separator: " "), response: " " + words.dropFirst(6).prefix(12).joined(separator: " "))
}
let sftModel = CausalLM(config: bundle.config, parameters: bundle.parameters.copy())
var sftSettings = SFTSettings()
(sftSettings.epochs, sftSettings.learningRate, sftSettings.batch, sftSettings.maxLength, sftSettings.saveEvery) = (2, 1e-3, 8, 64, 0)
let files = try TokenizerJSONWriter.files(for: tokenizer, modelMaxLength: bundle.config.maxPositions, source: tok512)
let sft = try SFTTrainer(model: sftModel, adapter: nil, tokenizer: tokenizer, template: nil, eos: bundle.config.eosTokenIDs.first,
                         train: Array(examples.prefix(32)), heldOut: Array(examples.suffix(8)), settings: sftSettings,
                         tokenizerFiles: files, baseModel: stories)
try report("sft", try sft.run(in: work.appendingPathComponent("sft")))

// 4. DPO on preference pairs: a happy continuation preferred to a sad one.
let pairs = reviews.prefix(24).map { review in
    PreferencePair(prompt: review.text.split(separator: " ").prefix(5).joined(separator: " "),
                   chosen: " and it was a happy, wonderful day.", rejected: " and it was a sad, terrible day.")
}
let dpoPolicy = CausalLM(config: bundle.config, parameters: bundle.parameters.copy())
var dpoSettings = DPOSettings()
(dpoSettings.epochs, dpoSettings.learningRate, dpoSettings.batch, dpoSettings.maxLength) = (2, 1e-3, 8, 64)
let dpo = try DPOTrainer(policy: dpoPolicy, adapter: nil, tokenizer: tokenizer, eos: bundle.config.eosTokenIDs.first,
                         train: Array(pairs.prefix(16)), heldOut: Array(pairs.suffix(8)), settings: dpoSettings)
try FileManager.default.createDirectory(at: work.appendingPathComponent("dpo"), withIntermediateDirectories: true)
try report("dpo", try dpo.run(metrics: work.appendingPathComponent("dpo/metrics.jsonl")))

// 5. Three PPO iterations of the sentiment task in one process (the policy, its rollout generators,
//    VADER reward scorers and the frozen reference as actors), from the repository's run config.
let configFile = environment["RLHF_PPO_CONFIG"].map { URL(fileURLWithPath: $0) }
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../cluster/configs/sentiment-stories260k.yaml")
let config = try PPORunConfig.load(configFile, overrides: ["iterations=3", "eval_every=0", "save_every=0", "batch_size=8", "mini_batch_size=4",
                                                           "reward.lexicon=\(models)/vader"])
let ppoFolder = work.appendingPathComponent("ppo")
try FileManager.default.createDirectory(at: ppoFolder, withIntermediateDirectories: true)
let loop = try PPORunLoop(config: config, folder: ppoFolder, resume: false)
let run = try EmbeddedPPORun(config: config)
var last: [String: Double] = [:]
try await loop.run(run.learner, tokenizerFiles: run.tokenizerFiles, progress: { last = $0.values })
await run.shutdown()
try report("ppo", ["iterations": Double(config.iterations), "reward_mean": last["env/reward_mean"] ?? .nan,
                   "kl": last["objective/kl"] ?? .nan, "kl_coef": last["objective/kl_coef"] ?? .nan])
