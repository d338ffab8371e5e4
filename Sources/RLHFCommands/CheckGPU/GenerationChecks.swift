import Foundation
import Generation
import ModelIO
import Models
import Tensor

/// Generation on the process's backend against the CPU backend, on the trained stories260K Llama: greedy
/// tokens must be the CPU's, and sampling with a seed must give the same tokens on every run.
enum GenerationChecks {
    /// The checks, loading `model` (a llama2.c checkpoint) on both backends.
    static func run(model url: URL) throws -> [CheckOutcome] {
        let device = try Llama2cCheckpoint.load(url: url)
        let cpu = try Llama2cCheckpoint.load(url: url, backend: CPUBackend.shared)
        let prompts = [[1], [1, 403], [1, 403, 407, 261], [1, 78]]  // BOS, then a few story openings' tokens
        var greedy = SamplingParameters(greedy: true, maxNewTokens: 48)
        greedy.seed = 7
        let onDevice = try Generator(model: CausalLM(config: device.config, parameters: device.parameters)).generate(prompts: prompts, parameters: greedy)
        let onCPU = try Generator(model: CausalLM(config: cpu.config, parameters: cpu.parameters)).generate(prompts: prompts, parameters: greedy)
        let same = zip(onDevice, onCPU).filter { $0.tokens == $1.tokens }.count
        var outcomes = [CheckOutcome(name: "greedy generation", passed: same == prompts.count,
                                     detail: "\(same) of \(prompts.count) rows give the CPU's \(greedy.maxNewTokens) tokens")]
        outcomes.append(.close("greedy log-probs", onDevice.flatMap(\.logprobs), onCPU.flatMap(\.logprobs), absolute: 1e-4))
        let sampling = SamplingParameters(temperature: 0.9, topK: 40, topP: 0.95, maxNewTokens: 48, seed: 11)
        let model = CausalLM(config: device.config, parameters: device.parameters)
        let first = try Generator(model: model).generate(prompts: prompts, parameters: sampling)
        let second = try Generator(model: model).generate(prompts: prompts, parameters: sampling)
        let sampledOnCPU = try Generator(model: CausalLM(config: cpu.config, parameters: cpu.parameters)).generate(prompts: prompts, parameters: sampling)
        let sameAsCPU = zip(first, sampledOnCPU).filter { $0.tokens == $1.tokens }.count
        outcomes.append(CheckOutcome(name: "seeded sampling run to run", passed: first.map(\.tokens) == second.map(\.tokens)
                                        && first.flatMap(\.logprobs) == second.flatMap(\.logprobs),
                                     detail: "two runs with seed 11 give the same tokens and log-probs bit for bit; \(sameAsCPU) of \(prompts.count) rows equal the CPU's"))
        return outcomes
    }
}
