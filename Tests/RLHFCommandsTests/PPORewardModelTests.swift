import Foundation
import ModelIO
import Models
import TestSupport
import XCTest

/// `rlhf ppo` with a sequence classifier as the reward (`reward.model`) and the same classifier as a
/// separate critic (`critic.model`): every reward the run logs equals what `rlhf reward score` gives the
/// same text, and the critic trains.
final class PPORewardModelTests: XCTestCase {
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]

    /// A random one-label classifier on stories260K's trunk shape, with its tokenizer, as a HF folder.
    func makeRewardModel(in folder: URL) throws {
        let stories = TestPaths.data("stories260K")
        let bundle = try ModelBundle.load(path: stories.appendingPathComponent("stories260K.bin").path,
                                          tokenizerPath: stories.appendingPathComponent("tok512.bin").path, requireTokenizer: true)
        let classifier = SequenceClassifier(config: bundle.config, padTokenID: nil)
        classifier.parameters.initializeRandom(seed: 5, std: 0.2)
        classifier.head.parameters.initializeRandom(seed: 6, std: 0.5)
        try HFSequenceClassifier.save(classifier, to: folder)
        try TokenizerJSONWriter.files(for: XCTUnwrap(bundle.tokenizer), modelMaxLength: bundle.config.maxPositions,
                                      source: "tok512.bin").write(to: folder)
    }

    func testRewardModelRewardsMatchRewardScoreAndTheCriticTrains() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let root = temporaryPath("ppo-rm")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = root.appendingPathComponent("reward-model"), output = root.appendingPathComponent("run")
        try makeRewardModel(in: model)
        let stories = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
        var text = try String(contentsOf: stories, encoding: .utf8)
        let vader = "reward:\n  function: vader\n  lexicon: ${RLHF_MODELS:-models}/vader\n"
        XCTAssertTrue(text.contains(vader))
        text = text.replacingOccurrences(of: vader, with: "reward:\n  model: \(model.path)\ncritic:\n  model: \(model.path)\n")
        let config = root.appendingPathComponent("rm.yaml")
        try Data(text.utf8).write(to: config)

        let run = try RLHFBinary.run(binary, ["ppo", "--config", config.path, "--output", output.path, "--set", "iterations=2",
                                              "--set", "eval_every=1", "--set", "save_every=2"], environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let metrics = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertGreaterThan(metrics[0]["ppo/val/grad_norm"] as? Double ?? 0, 0, "the critic gets gradients")
        XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoints/iteration-000002/critic/model.safetensors").path))

        let samples = try String(contentsOf: output.appendingPathComponent("samples.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(samples.count, 12, "4 held-out samples at each of 3 evaluations")
        var arguments = ["reward", "score", "--model", model.path, "--json"]
        for sample in samples {
            arguments += ["--text", try XCTUnwrap(sample["prompt"] as? String) + XCTUnwrap(sample["response"] as? String)]
        }
        let scored = try RLHFBinary.run(binary, arguments, environment: environment)
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let rewards = try scored.stdout.split(separator: "\n").map {
            try XCTUnwrap((JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["reward"] as? Double)
        }
        XCTAssertEqual(rewards.count, samples.count)
        for (sample, reward) in zip(samples, rewards) {
            XCTAssertEqual(try XCTUnwrap(sample["reward"] as? Double), reward, accuracy: 1e-5)
        }
        XCTAssertGreaterThan(Set(rewards.map { Int($0 * 1e4) }).count, 3, "the rewards vary with the text")
    }

    /// The harmlessness task's data path on stories260K: HH first Human turns as whole prompts, scored by a
    /// BERT reward model (all-MiniLM-L6-v2 under a fresh head, as `rlhf reward train` starts one); every
    /// logged reward equals `rlhf reward score` of the same text (stories260K's tokenizer cannot spell
    /// HH's newlines, so the prompts' text is checked in HHPromptsTests, not here).
    func testHHPromptsWithABERTRewardModel() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.miniLM.path), "missing \(TestPaths.miniLM.path): run make models")
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let root = temporaryPath("ppo-hh")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = root.appendingPathComponent("reward-model"), output = root.appendingPathComponent("run")
        let classifier = try HFSequenceClassifier.loadBackbone(directory: TestPaths.miniLM, seed: 3)
        classifier.head.parameters.initializeRandom(seed: 4, std: 0.5)
        try HFSequenceClassifier.save(classifier, to: model)
        for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"] {
            try FileManager.default.copyItem(at: TestPaths.miniLM.appendingPathComponent(name), to: model.appendingPathComponent(name))
        }
        var text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml"), encoding: .utf8)
        let vader = "reward:\n  function: vader\n  lexicon: ${RLHF_MODELS:-models}/vader\n"
        let imdb = "  format: imdb\n  train: ${RLHF_SHARED:-../shared}/data/imdb-train.jsonl.gz\n  eval: ${RLHF_SHARED:-../shared}/data/imdb-test.jsonl.gz\n  prompt_tokens: [2, 8]\n"
        XCTAssertTrue(text.contains(vader) && text.contains(imdb))
        let hh = "${RLHF_SHARED:-../shared}/data/hh-rlhf-harmless-base-test.jsonl.gz"
        text = text.replacingOccurrences(of: vader, with: "reward:\n  model: \(model.path)\n")
            .replacingOccurrences(of: imdb, with: "  format: hh\n  train: \(hh)\n  eval: \(hh)\n  eval_fraction: 0.2\n  max_prompt_tokens: 256\n")
        let config = root.appendingPathComponent("hh.yaml")
        try Data(text.utf8).write(to: config)

        let run = try RLHFBinary.run(binary, ["ppo", "--config", config.path, "--output", output.path, "--set", "iterations=1",
                                              "--set", "eval_every=1"], environment: environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let samples = try String(contentsOf: output.appendingPathComponent("samples.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertFalse(samples.isEmpty)
        var arguments = ["reward", "score", "--model", model.path, "--json"]
        for sample in samples {
            let prompt = try XCTUnwrap(sample["prompt"] as? String)
            arguments += ["--text", prompt + (try XCTUnwrap(sample["response"] as? String))]
        }
        let scored = try RLHFBinary.run(binary, arguments, environment: environment)
        XCTAssertEqual(scored.status, 0, scored.stderr)
        let rewards = try scored.stdout.split(separator: "\n").map {
            try XCTUnwrap((JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["reward"] as? Double)
        }
        XCTAssertEqual(rewards.count, samples.count)
        for (sample, reward) in zip(samples, rewards) {
            XCTAssertEqual(try XCTUnwrap(sample["reward"] as? Double), reward, accuracy: 1e-4)
        }
    }
}
