import Foundation
import ModelIO
import Models
import Tensor

/// The `../shared/fixtures` comparisons with transformers, run on the process's backend: the tiny GPT-2 and
/// Llama (logits, loss, every gradient, the left-padded case) and the two reward models (rewards, loss).
/// Bounds are the fixtures' own: 1e-4 absolute, gradients 1e-4 of each tensor's largest magnitude.
enum FixtureChecks {
    /// Every fixture check, reading the fixtures in `folder`.
    static func run(folder: URL) throws -> [CheckOutcome] {
        var outcomes: [CheckOutcome] = []
        for name in ["gpt2-tiny", "llama-tiny"] { outcomes += try causal(name, folder: folder.appendingPathComponent(name)) }
        for name in ["gpt2-reward-tiny", "bert-reward-tiny"] { outcomes += try reward(name, folder: folder.appendingPathComponent(name)) }
        return outcomes
    }

    private static func causal(_ name: String, folder: URL) throws -> [CheckOutcome] {
        let (config, store) = try HFCheckpoint.load(directory: folder)
        let lm = CausalLM(config: config, parameters: store)
        let expected = try SafetensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        let ids = try rows(expected, "input_ids")
        lm.enableTraining()
        let logits = try lm.forward(try TokenBatch(ids: ids), training: true)
        let want = try expected.floats("logits")
        var outcomes = [CheckOutcome.close("\(name) logits", lm.backend.download(logits, count: want.count), want, absolute: 1e-4)]
        outcomes.append(.close("\(name) loss", [try lm.nextTokenLoss()], try expected.floats("loss"), absolute: 1e-4))
        try lm.backward()
        let gradients = try HFCheckpoint.tensors(config: lm.config, store: lm.parameters, from: .gradients)
        var worstGradient: CheckOutcome?
        for key in expected.tensorNames where key.hasPrefix("grad.") {
            let want = try expected.floats(key)
            let bound = 1e-4 * (want.map(abs).max() ?? 0)
            let outcome = CheckOutcome.close("\(name) \(key)", gradients[String(key.dropFirst(5))] ?? [], want, absolute: bound)
            if !outcome.passed || worstGradient == nil { worstGradient = outcome }
            if !outcome.passed { outcomes.append(outcome) }
        }
        if let worstGradient, worstGradient.passed {
            outcomes.append(CheckOutcome(name: "\(name) gradients", passed: true, detail: "all \(gradients.count) tensors within 1e-4 of their largest magnitude"))
        }
        // the left-padded case: next-token log-probs where the target is real
        let mask = try rows(expected, "padded.attention_mask"), positions = try rows(expected, "padded.position_ids")
        let logprobs = try lm.nextTokenLogProbs(try TokenBatch(ids: ids, positions: positions, mask: mask))
        let all = try expected.floats("padded.next_token_logprobs")
        let T = ids[0].count
        var got: [Float] = [], wantPadded: [Float] = []
        for b in ids.indices {
            for t in 0..<(T - 1) where mask[b][t + 1] != 0 { got.append(logprobs[b][t]); wantPadded.append(all[b * (T - 1) + t]) }
        }
        outcomes.append(.close("\(name) padded next-token log-probs", got, wantPadded, absolute: 1e-4))
        return outcomes
    }

    private static func reward(_ name: String, folder: URL) throws -> [CheckOutcome] {
        let model = try HFSequenceClassifier.load(directory: folder)
        let expected = try SafetensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        let chosen = try model.rewards(try TokenBatch(ids: try rows(expected, "chosen_ids"), positions: nil, mask: try rows(expected, "chosen_mask")))
        let rejected = try model.rewards(try TokenBatch(ids: try rows(expected, "rejected_ids"), positions: nil,
                                                        mask: try rows(expected, "rejected_mask")))
        let loss = zip(chosen, rejected).map { c, r in log1p(exp(-(c - r))) }.reduce(0, +) / Float(chosen.count)
        return [.close("\(name) chosen rewards", chosen, try expected.floats("reward_chosen"), absolute: 1e-4),
                .close("\(name) rejected rewards", rejected, try expected.floats("reward_rejected"), absolute: 1e-4),
                .close("\(name) Bradley-Terry loss", [loss], try expected.floats("loss"), absolute: 1e-4)]
    }

    /// An I64 [B,T] tensor as rows.
    private static func rows(_ file: SafetensorsFile, _ name: String) throws -> [[Int]] {
        let shape = try file.info(name).shape
        let flat = try file.int64s(name).map(Int.init)
        return (0..<shape[0]).map { Array(flat[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }
}
