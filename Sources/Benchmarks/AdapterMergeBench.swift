import Foundation
import Models
import PPO
import Wire

/// `rlhf bench transport --lora-rank R`: what a generator does with each version of a LoRA run once the
/// adapter's bytes have come (`AdapterInstall.install`: the adapted rows restored from its base, the
/// adapter merged in), on a random-weight model.
package enum AdapterMergeBench {
    /// The JSON line.
    package struct Result: Encodable {
        package let workload = "transport", measurement = "adapter_merge"
        package let model: String, rank: Int, adapter_bytes: Int
        package let median_s: Double, min_s: Double, max_s: Double, times_s: [Double]
    }

    /// Times `warmup` untimed and `runs` timed installs of a rank-`rank` adapter into `model`.
    package static func measure(model shape: BenchModel, rank: Int, warmup: Int, runs: Int) throws -> Result {
        let model = CausalLM(config: shape.config)
        model.parameters.initializeRandom(seed: 1)
        model.freeze()
        let config = LoRAConfig(rank: rank, targets: LoRAConfig.defaultTargets(for: shape.config.architecture))
        let install = try AdapterInstall(model: model, config: config)
        let adapter = install.adapter.parameters.copy()
        adapter.initializeRandom(seed: 2)
        var times: [Double] = []
        for run in 0..<(warmup + runs) {
            let weights = PolicyWeightsLayout.publish(adapter, version: run + 1, replaces: run > 0 ? run : nil)
            let start = DispatchTime.now().uptimeNanoseconds
            try install.install(weights, into: model)
            if run >= warmup { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        let sorted = times.sorted()
        return Result(model: shape.rawValue, rank: rank, adapter_bytes: adapter.count * 4, median_s: sorted[sorted.count / 2],
                      min_s: sorted.first!, max_s: sorted.last!, times_s: times)
    }
}
