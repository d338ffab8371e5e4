import Foundation
import Storage
import Models
import Tensor

/// Loads and saves Hugging Face checkpoint folders (`config.json` + safetensors weights).
///
/// Loading is strict: every tensor the config implies must be present with its exact shape, and any other
/// tensor (apart from non-parameter buffers, and `lm_head.weight` when embeddings are tied) is an error.
/// Saving writes what `transformers` writes: Hugging Face key names and layouts, float32, one file.
public enum HFCheckpoint {
    /// Reads `directory/config.json` and its `model.safetensors` (or sharded `model.safetensors.index.json`)
    /// into a parameter store on `backend`. Every tensor is checked (present, of its shape, none left over)
    /// before the store is allocated; each is then decoded into one reused host buffer, checked for NaN and
    /// infinity, and uploaded.
    public static func load(directory: URL, backend: Backend = DefaultBackend.current) throws -> (TransformerConfig, ParameterStore) {
        let config = try HFConfigReader.read(contentsOf: directory.appendingPathComponent("config.json"))
        let weights = try HFWeightFiles(directory: directory)
        return (config, try loadStore(weights, config: config, lmHead: true, otherKeys: [], backend: backend))
    }

    /// The trunk (and, with `lmHead`, an untied LM head) of `config` from `weights`, strictly: every
    /// binding present with its shape, and no tensor besides them, `otherKeys` (read by the caller) and
    /// ignorable buffers.
    static func loadStore(_ weights: HFWeightFiles, config: TransformerConfig, lmHead: Bool, otherKeys: Set<String>,
                          backend: Backend) throws -> ParameterStore {
        let bindings = HFKeyMap.bindings(for: config, lmHead: lmHead)
        let sourceKeys = try canonicalSourceKeys(weights, config: config)
        var resolved: [(binding: HFTensorBinding, key: String, file: SafetensorsFile)] = []
        for binding in bindings {
            let (file, sourceKey) = try tensor(binding.hfKey, shape: binding.hfShape, in: weights, sourceKeys: sourceKeys)
            resolved.append((binding, sourceKey, file))
        }
        let expected = Set(bindings.map(\.hfKey)).union(otherKeys)
        for (canonical, sourceKey) in sourceKeys.sorted(by: { $0.key < $1.key })
        where !expected.contains(canonical) && !HFKeyMap.isIgnored(canonical, for: config) {
            throw HFCheckpointError.unexpectedTensor(file: weights.file(holding: sourceKey)?.url.path ?? weights.checkpointPath,
                                                     key: sourceKey)
        }
        let store = ParameterStore(specs: ParameterLayout.specs(for: config, lmHead: lmHead), backend: backend)
        var staging: WeightStaging?  // reused while the shard stays the same (errors name the shard)
        for (binding, key, file) in resolved {
            if staging?.file != file.url.path { staging = WeightStaging(backend: backend, file: file.url.path) }
            try copy(key, from: file, into: store, binding: binding, staging: staging!)
        }
        return store
    }

    /// The file and stored key of the tensor whose canonical key is `key`, checked to have `shape`.
    static func tensor(_ key: String, shape expected: [Int], in weights: HFWeightFiles,
                       sourceKeys: [String: String]) throws -> (SafetensorsFile, String) {
        guard let sourceKey = sourceKeys[key], let file = weights.file(holding: sourceKey) else {
            throw HFCheckpointError.missingTensor(file: weights.checkpointPath, key: key)
        }
        let shape = try file.info(sourceKey).shape
        guard shape == expected else {
            throw HFCheckpointError.shapeMismatch(file: file.url.path, key: sourceKey, expected: expected, found: shape)
        }
        return (file, sourceKey)
    }

    /// Writes `directory/model.safetensors` and `directory/config.json` (each atomically), creating the folder.
    /// `store` must have the layout `ParameterLayout.specs(for: config)` gives.
    public static func save(config: TransformerConfig, store: ParameterStore, to directory: URL) throws {
        try save(config: config, store: store, lmHead: true, to: directory,
                 configJSON: { try HFConfigWriter.json(for: config, file: directory.appendingPathComponent("config.json").path) },
                 addOther: { _ in })
    }

    /// Writes `store` (the layout of `config`, with or without the LM head) and the config `configJSON`
    /// makes once the layout is checked; `addOther` adds tensors that live outside the store (a
    /// classifier's `score.weight`).
    static func save(config: TransformerConfig, store: ParameterStore, lmHead: Bool, to directory: URL,
                     configJSON makeConfigJSON: () throws -> Data, addOther: (inout SafetensorsWriter) -> Void) throws {
        try checkLayout(of: store, matches: config, lmHead: lmHead, directory: directory)
        let configJSON = try makeConfigJSON()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HFCheckpointError.cannotSave(file: directory.path, reason: (error as NSError).localizedDescription)
        }
        var writer = SafetensorsWriter()
        for binding in HFKeyMap.bindings(for: config, lmHead: lmHead) {
            let source = store.value(binding.parameter)
            writer.addFloats(binding.hfKey, shape: binding.hfShape) { buffer in
                extract(binding, from: source, backend: store.backend, into: buffer.baseAddress!)
            }
        }
        addOther(&writer)
        try writer.write(to: directory.appendingPathComponent(HFWeightFiles.singleFileName))
        try StagedWrite.file(directory.appendingPathComponent("config.json"), contents: configJSON)
    }

    /// Canonical key → key as stored, for every tensor in the checkpoint.
    static func canonicalSourceKeys(_ weights: HFWeightFiles, config: TransformerConfig) throws -> [String: String] {
        var sourceKeys: [String: String] = [:]
        for key in weights.keys {
            let canonical = HFKeyMap.canonicalKey(key, for: config)
            if sourceKeys[canonical] != nil {
                throw HFCheckpointError.duplicateTensor(file: weights.checkpointPath, key: canonical)
            }
            sourceKeys[canonical] = key
        }
        return sourceKeys
    }

    /// Places one Hugging Face tensor into its Swift parameter, through `staging`.
    private static func copy(_ key: String, from file: SafetensorsFile, into store: ParameterStore,
                             binding: HFTensorBinding, staging: WeightStaging) throws {
        let parameter = store.value(binding.parameter)
        let count = binding.count
        switch binding.placement {
        case .whole:
            let host = staging.floats(count)
            try file.readFloats(key, into: host, count: count)
            try staging.upload(host, count: count, to: parameter, tensor: key)
        case let .rows(start):
            let host = staging.floats(count)
            try file.readFloats(key, into: host, count: count)
            try staging.upload(host, count: count, to: parameter + start * binding.rowWidth, tensor: key)
        case .transposed:
            let host = staging.floats(2 * count)
            try file.readFloats(key, into: host, count: count)
            HFMatrixTranspose.transpose(host, rows: binding.hfShape[0], cols: binding.hfShape[1], into: host + count)
            try staging.upload(host + count, count: count, to: parameter, tensor: key)
        }
    }

    /// Writes one Hugging Face tensor, in its Hugging Face layout, from its Swift parameter in `backend`'s
    /// memory (downloaded, so a GPU store saves as a CPU one does).
    static func extract(_ binding: HFTensorBinding, from parameter: UnsafeMutablePointer<Float>, backend: Backend,
                        into output: UnsafeMutablePointer<Float>) {
        let destination = UnsafeMutableBufferPointer(start: output, count: binding.count)
        switch binding.placement {
        case .whole:
            backend.download(parameter, into: destination)
        case let .rows(start):
            backend.download(parameter + start * binding.rowWidth, into: destination)
        case .transposed:
            // The Swift parameter is [hfShape[1], hfShape[0]].
            let host = backend.download(parameter, count: binding.count)
            host.withUnsafeBufferPointer {
                HFMatrixTranspose.transpose($0.baseAddress!, rows: binding.hfShape[1], cols: binding.hfShape[0], into: output)
            }
        }
    }

    private static func checkLayout(of store: ParameterStore, matches config: TransformerConfig, lmHead: Bool,
                                    directory: URL) throws {
        let expected = ParameterLayout.specs(for: config, lmHead: lmHead)
        for (name, shape, _) in expected {
            guard let spec = store.spec(named: name) else {
                throw HFCheckpointError.cannotSave(file: directory.path, reason: "the store has no parameter '\(name)' that the config needs")
            }
            guard spec.shape == shape else {
                throw HFCheckpointError.cannotSave(file: directory.path,
                                                   reason: "parameter '\(name)' has shape \(spec.shape), the config needs \(shape)")
            }
        }
        if store.specs.count != expected.count {
            let known = Set(expected.map(\.0))
            let extra = store.specs.first { !known.contains($0.name) }?.name ?? "?"
            throw HFCheckpointError.cannotSave(file: directory.path, reason: "the store has parameter '\(extra)' that the config does not")
        }
    }
}
