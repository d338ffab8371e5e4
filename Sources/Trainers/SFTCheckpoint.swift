import Foundation
import ModelIO
import Models
import Storage
import Training

/// `rlhf sft` checkpoints: `OUTPUT/checkpoint-STEP/`, each a Hugging Face folder that `transformers`
/// loads (config.json, model.safetensors, the tokenizer files) plus
/// - `optimizer.safetensors`: every AdamW group's first and second moments (`optimizer.group.G.moments`);
/// - `trainer_state.json`: the step and the run's identity (`SFTTrainerState`).
/// Each is written into a hidden `.checkpoint-STEP.partial-XXXXXX` folder (`StagedWrite.Folder`) and renamed into place, so a run
/// killed at any moment leaves only complete checkpoints. The batch order needs no saved state: it is a
/// pure function of the seed and the step (`LengthGroupedBatches`), and the run has no dropout.
package enum SFTCheckpoint {
    /// The folder of the checkpoint after `step` steps.
    static func folder(step: Int, in output: URL) -> URL { output.appendingPathComponent("checkpoint-\(step)") }

    /// Writes the model, the optimizer and `state` as `OUTPUT/checkpoint-STEP/`; returns the folder.
    @discardableResult
    package static func save(_ update: SFTUpdate, state: SFTTrainerState, tokenizerFiles: HuggingFaceTokenizerFiles,
                     to output: URL) throws -> URL {
        let final = folder(step: state.global_step, in: output)
        do {
            let folder = try StagedWrite.Folder(beside: final, hidden: true)
            let staging = folder.staging
            try HFCheckpoint.save(config: update.model.config, store: update.model.parameters, to: staging)
            try tokenizerFiles.write(to: staging)
            var moments = SafetensorsWriter()
            for (g, group) in update.optimizer.groups.enumerated() {
                moments.addFloats("optimizer.group.\(g).moments", shape: [group.moments.count]) { buffer in
                    group.store.backend.download(group.moments.pointer, into: buffer)
                }
            }
            try moments.write(to: staging.appendingPathComponent("optimizer.safetensors"))
            try write(state, to: staging.appendingPathComponent("trainer_state.json"))
            try folder.commit(replacing: true)
        } catch {
            if let error = error as? SFTCheckpointError { throw error }
            throw SFTCheckpointError.cannotWrite(file: final.path, reason: "\(error)")
        }
        return final
    }

    /// The state saved in the checkpoint `folder`.
    package static func state(in folder: URL) throws -> SFTTrainerState {
        let url = folder.appendingPathComponent("trainer_state.json")
        let state: SFTTrainerState
        do {
            let data = try SideFile.read(url.path, limit: SideFile.Limit.state, what: "a trainer_state.json")
            state = try JSONDecoder().decode(SFTTrainerState.self, from: data)
        } catch let error as SideFileError {
            throw SFTCheckpointError.unreadable(file: url.path, reason: error.reason)
        } catch {
            throw SFTCheckpointError.unreadable(file: url.path, reason: "not a checkpoint's trainer_state.json (\(reason(error)))")
        }
        let numbers = [state.epoch, state.learning_rate] + [state.eval_loss_before, state.train_loss].compactMap { $0 }
        guard state.format == 1, state.global_step >= 0, state.global_step <= state.max_steps, state.max_steps <= AdamW.maximumStepCount,
              numbers.allSatisfy(\.isFinite), state.epoch >= 0 else {
            throw SFTCheckpointError.unreadable(file: url.path, reason: "a field is missing or out of range")
        }
        return state
    }

    /// Loads the checkpoint `folder`'s weights and optimizer moments into `update` and sets its step
    /// count to the state's `global_step`. The tensors must be the model's, name for name and shape for shape.
    package static func restore(_ update: SFTUpdate, from folder: URL, state: SFTTrainerState) throws {
        let (_, saved) = try HFCheckpoint.load(directory: folder, backend: update.model.backend)
        let store = update.model.parameters
        guard saved.specs.map(\.name) == store.specs.map(\.name), saved.specs.map(\.shape) == store.specs.map(\.shape) else {
            throw SFTCheckpointError.mismatch(file: folder.path, what: "its tensors are not those of --model")
        }
        store.backend.copy(from: saved.values.pointer, to: store.values.pointer, count: store.count)
        let url = folder.appendingPathComponent("optimizer.safetensors")
        do {
            let file = try SafetensorsFile(url: url)
            let moments = try update.optimizer.groups.indices.map { try file.floats("optimizer.group.\($0).moments") }
            try update.optimizer.restore(groupMoments: moments, stepCount: state.global_step)
        } catch {
            throw SFTCheckpointError.unreadable(file: url.path, reason: "\(error)")
        }
    }

    /// Writes `state` as pretty, sorted JSON.
    static func write(_ state: SFTTrainerState, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard FileManager.default.createFile(atPath: url.path, contents: try encoder.encode(state)) else {
            throw SFTCheckpointError.cannotWrite(file: url.path, reason: "cannot create the file")
        }
    }

    private static func reason(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case let .keyNotFound(key, _): return "no field \(key.stringValue)"
            case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
                return context.debugDescription
            @unknown default: return "\(decoding)"
            }
        }
        return (error as NSError).localizedDescription
    }

}
