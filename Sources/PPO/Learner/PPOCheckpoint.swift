import Foundation
import ModelIO
import Models
import Storage
import Tensor
import Training

/// PPO checkpoints: `OUTPUT/checkpoints/iteration-N/`, written whole into a hidden folder and renamed
/// into place, so a run killed at any moment leaves only complete checkpoints. Each holds
/// - `policy/`: a Hugging Face folder (config.json, model.safetensors, and the tokenizer files when the
///   tokenizer can be written) that `transformers` loads;
/// - `value_head.safetensors` (TRL's `v_head.summary.*` names) or `critic/` (a sequence classifier);
/// - `optimizer.safetensors`: every AdamW group's first and second moments;
/// - `state.json`: the iteration, the policy version, the KL controller, the shuffling stream, the data
///   position and the optimizer steps (`PPOCheckpointState`).
/// The frozen reference and the prompts are not saved: they come from the run config again.
package enum PPOCheckpoint {
    /// Checkpoints kept: older ones are deleted once a new one is in place.
    package static let kept = 2

    /// The folder of the checkpoint after `iteration` iterations.
    package static func folder(iteration: Int, in output: URL) -> URL {
        output.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "iteration-%06d", iteration))
    }

    /// Every complete checkpoint in `output`, oldest first, with its iteration.
    package static func all(in output: URL) -> [(iteration: Int, url: URL)] {
        let root = output.appendingPathComponent("checkpoints")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("iteration-"), let n = Int(name.dropFirst("iteration-".count)), n >= 0 else { return nil }
            return (n, root.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// Writes `learner`'s state after `iteration` iterations into `output`; returns the folder.
    @discardableResult
    package static func save(_ learner: PPOLearner, iteration: Int, tokenizerFiles: HuggingFaceTokenizerFiles?,
                            to output: URL) throws -> URL {
        let final = folder(iteration: iteration, in: output)
        do {
            let staged = try StagedWrite.Folder(beside: final, hidden: true)
            try write(learner, iteration: iteration, tokenizerFiles: tokenizerFiles, into: staged.staging)
            try staged.commit(replacing: true)
        } catch {
            if let error = error as? PPOCheckpointError { throw error }
            throw PPOCheckpointError.cannotWrite(file: final.path, reason: "\(error)")
        }
        for old in all(in: output).dropLast(kept) { try? FileManager.default.removeItem(at: old.url) }
        return final
    }

    private static func write(_ learner: PPOLearner, iteration: Int, tokenizerFiles: HuggingFaceTokenizerFiles?,
                              into folder: URL) throws {
        let update = learner.step.update
        let stores = [update.policy.parameters, update.policy.adapter?.parameters, update.valueHead?.parameters,
                      update.critic?.parameters, update.critic?.head.parameters].compactMap { $0 }
        if let name = stores.lazy.compactMap({ $0.firstNonFiniteTensor() }).first {
            throw PPOCheckpointError.cannotWrite(file: folder.path, reason: "the weights hold a NaN or infinity (\(name)); the run diverged")
        }
        let policyFolder = folder.appendingPathComponent("policy")
        try HFCheckpoint.save(config: update.policy.config, store: update.policy.parameters, to: policyFolder)
        try tokenizerFiles?.write(to: policyFolder)
        if let adapter = update.policy.adapter {  // the trained part of a LoRA run, in PEFT's layout
            try PEFTAdapter.save(adapter, baseModel: learner.config.policyModel, to: folder.appendingPathComponent("adapter"))
        }
        if let critic = update.critic {
            try HFSequenceClassifier.save(critic, to: folder.appendingPathComponent("critic"))
        } else if let head = update.valueHead {
            var writer = SafetensorsWriter()
            add(head.parameters, prefix: "v_head.summary.", to: &writer)
            try writer.write(to: folder.appendingPathComponent("value_head.safetensors"))
        }
        var moments = SafetensorsWriter()
        for (o, optimizer) in update.optimizers.enumerated() {
            for (g, group) in optimizer.groups.enumerated() {
                moments.addFloats("optimizer.\(o).group.\(g).moments", shape: [group.moments.count]) { buffer in
                    group.store.backend.download(group.moments.pointer, into: buffer)
                }
            }
        }
        try moments.write(to: folder.appendingPathComponent("optimizer.safetensors"))
        let config = learner.config
        let state = PPOCheckpointState(
            iteration: iteration, version: learner.version, seed: String(config.seed), batchSize: config.ppo.batchSize,
            policyModel: config.policyModel, klController: learner.step.klController,
            shuffleState: String(update.shuffle.state), promptPosition: learner.dataPosition,
            optimizerSteps: update.optimizers.map(\.stepCount), hasCritic: update.critic != nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let url = folder.appendingPathComponent("state.json")
        guard FileManager.default.createFile(atPath: url.path, contents: try encoder.encode(state)) else {
            throw PPOCheckpointError.cannotWrite(file: url.path, reason: "cannot create the file")
        }
    }

    private static func add(_ store: ParameterStore, prefix: String, to writer: inout SafetensorsWriter) {
        for spec in store.specs {
            let source = store.value(spec.name)
            writer.addFloats(prefix + spec.name, shape: spec.shape) { buffer in
                store.backend.download(source, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<spec.count]))
            }
        }
    }

    /// The checkpoint in `folder` of a run of `config`, checked before anything is loaded or computed: its
    /// `state.json` read (at most 1 MiB), every field in its range and matching the config, and its
    /// optimizer moments finite (second moments not negative).
    package static func verify(_ folder: URL, config: PPORunConfig) throws -> PPOCheckpointState {
        let stateURL = folder.appendingPathComponent("state.json")
        let state: PPOCheckpointState
        do {
            let data = try SideFile.read(stateURL.path, limit: SideFile.Limit.state, what: "a state.json")
            state = try JSONDecoder().decode(PPOCheckpointState.self, from: data)
        } catch let error as SideFileError {
            throw PPOCheckpointError.unreadable(file: stateURL.path, reason: error.reason)
        } catch {
            throw PPOCheckpointError.unreadable(file: stateURL.path, reason: "not a checkpoint's state.json (\(error))")
        }
        try state.check(against: config, file: stateURL.path)
        _ = try HFConfigReader.read(contentsOf: folder.appendingPathComponent("policy").appendingPathComponent("config.json"))
        let momentsURL = folder.appendingPathComponent("optimizer.safetensors")
        do {
            let file = try SafetensorsFile(url: momentsURL)
            for name in file.tensorNames where name.hasPrefix("optimizer.") {
                let values = try file.floats(name)
                if let bad = values.indices.first(where: { !values[$0].isFinite || ($0 >= values.count / 2 && values[$0] < 0) }) {
                    throw PPOCheckpointError.unreadable(file: momentsURL.path,
                                                        reason: "\(name)[\(bad)] is \(values[bad]): optimizer moments are finite and second moments not negative")
                }
            }
        } catch let error as PPOCheckpointError { throw error } catch {
            throw PPOCheckpointError.unreadable(file: momentsURL.path, reason: "\(error)")
        }
        return state
    }

    /// Restores `learner` from the checkpoint in `folder`; returns the iteration to continue with.
    package static func restore(_ learner: PPOLearner, from folder: URL) throws -> Int {
        let state = try verify(folder, config: learner.config)
        let stateURL = folder.appendingPathComponent("state.json")
        let update = learner.step.update
        guard String(state.hasCritic) == String(update.critic != nil), state.optimizerSteps.count == update.optimizers.count,
              let shuffle = UInt64(state.shuffleState) else {
            throw PPOCheckpointError.mismatch(file: stateURL.path, what: "its optimizers or critic are not this run's")
        }
        let policyFolder = folder.appendingPathComponent("policy")
        let (_, policyStore) = try HFCheckpoint.load(directory: policyFolder, backend: update.policy.backend)
        try copy(policyStore, into: update.policy.parameters, file: policyFolder.path)
        if let adapter = update.policy.adapter {
            let adapterFolder = folder.appendingPathComponent("adapter")
            let saved = try PEFTAdapter.load(directory: adapterFolder, model: update.policy.config, backend: update.policy.backend)
            guard saved.config == adapter.config else {
                throw PPOCheckpointError.mismatch(file: adapterFolder.path, what: "the adapter was rank \(saved.config.rank) on \(saved.config.targets), the config asks for rank \(adapter.config.rank) on \(adapter.config.targets)")
            }
            try copy(saved.parameters, into: adapter.parameters, file: adapterFolder.path)
        }
        if let critic = update.critic {
            let criticFolder = folder.appendingPathComponent("critic")
            let saved = try HFSequenceClassifier.load(directory: criticFolder, backend: critic.backend)
            try copy(saved.parameters, into: critic.parameters, file: criticFolder.path)
            try copy(saved.head.parameters, into: critic.head.parameters, file: criticFolder.path)
        } else if let head = update.valueHead {
            try read(head.parameters, prefix: "v_head.summary.", from: folder.appendingPathComponent("value_head.safetensors"))
        }
        let momentsURL = folder.appendingPathComponent("optimizer.safetensors")
        do {
            let file = try SafetensorsFile(url: momentsURL)
            for (o, optimizer) in update.optimizers.enumerated() {
                let saved = try optimizer.groups.indices.map { g in try file.floats("optimizer.\(o).group.\(g).moments") }
                try optimizer.restore(groupMoments: saved, stepCount: state.optimizerSteps[o])
            }
        } catch let error as PPOCheckpointError { throw error } catch {
            throw PPOCheckpointError.unreadable(file: momentsURL.path, reason: "\(error)")
        }
        learner.step.klController = state.klController
        update.shuffle = SplitMix64(seed: shuffle)
        learner.resume(version: state.version, position: state.promptPosition)
        return state.iteration
    }

    private static func copy(_ saved: ParameterStore, into store: ParameterStore, file: String) throws {
        guard saved.specs.map(\.name) == store.specs.map(\.name), saved.specs.map(\.shape) == store.specs.map(\.shape) else {
            throw PPOCheckpointError.mismatch(file: file, what: "its tensors do not match the run's model")
        }
        store.backend.copy(from: saved.values.pointer, to: store.values.pointer, count: store.count)
    }

    private static func read(_ store: ParameterStore, prefix: String, from url: URL) throws {
        do {
            let file = try SafetensorsFile(url: url)
            for spec in store.specs {
                let values = try file.floats(prefix + spec.name)
                guard values.count == spec.count, values.allSatisfy(\.isFinite) else {
                    throw PPOCheckpointError.mismatch(file: url.path, what: "\(prefix + spec.name) has \(values.count) values for \(spec.shape)")
                }
                store.backend.upload(values, to: store.value(spec.name))
            }
        } catch let error as PPOCheckpointError { throw error } catch {
            throw PPOCheckpointError.unreadable(file: url.path, reason: "\(error)")
        }
    }

}
