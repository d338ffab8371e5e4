import Foundation
import Models
import Tensor

/// Loads a GGUF model file into the Swift model's parameters.
public enum GGUFModel {
    /// Opens `url`, reads its config and fills a new parameter store with every tensor, dequantized to
    /// Float32; missing, unexpected or mis-shaped tensors are typed errors naming the file and tensor.
    /// The store lives on `backend`; each tensor is dequantized into one reused host buffer, checked for
    /// NaN and infinity, and uploaded.
    public static func load(url: URL, backend: Backend = DefaultBackend.current) throws
        -> (config: TransformerConfig, parameters: ParameterStore, file: GGUFFile) {
        let file = try GGUFFile(url: url)
        let (config, parameters) = try load(file: file, backend: backend)
        return (config, parameters, file)
    }

    /// Reads the config of the already opened `file` and loads its tensors.
    public static func load(file: GGUFFile, backend: Backend = DefaultBackend.current) throws
        -> (config: TransformerConfig, parameters: ParameterStore) {
        let config = try GGUFLlamaConfig.config(from: file)
        let placements = GGUFLlamaTensorMap.placements(for: config)
        let resolved = try check(placements, against: file)
        let parameters = ParameterStore(specs: ParameterLayout.specs(for: config), backend: backend)
        let staging = WeightStaging(backend: backend, file: file.path)
        for (placement, tensor) in resolved {
            guard let spec = parameters.spec(named: placement.swiftName) else {
                preconditionFailure("GGUFLlamaTensorMap names \(placement.swiftName), which ParameterLayout lacks")
            }
            let columns = spec.shape.dropFirst().reduce(1, *)  // floats per row of the Swift tensor
            let destination = parameters.value(placement.swiftName) + placement.firstRow * columns
            let host = staging.floats(tensor.elementCount)
            if let headDim = placement.rotaryHeadDim {
                try file.dequantize(tensor, into: host) {
                    GGUFRotaryRows.halfSplitRow(forInterleavedRow: $0, headDim: headDim)
                }
            } else {
                try file.dequantize(tensor, into: host)
            }
            try staging.upload(host, count: tensor.elementCount, to: destination, tensor: tensor.name)
        }
        return (config, parameters)
    }

    /// Matches the plan against the file's index: every planned tensor present, of the planned shape and
    /// a dequantizable type; no tensor in the file left over.
    private static func check(_ placements: [GGUFTensorPlacement],
                              against file: GGUFFile) throws -> [(GGUFTensorPlacement, GGUFTensorInfo)] {
        var resolved: [(GGUFTensorPlacement, GGUFTensorInfo)] = []
        for placement in placements {
            guard let tensor = file.tensor(named: placement.ggufName) else {
                throw GGUFError.missingTensor(file: file.path, tensor: placement.ggufName)
            }
            guard tensor.shape == placement.shape else {
                throw GGUFError.shapeMismatch(file: file.path, tensor: tensor.name, expected: placement.shape, found: tensor.shape)
            }
            guard tensor.type.canDequantize else {
                throw GGUFError.unsupportedTensorType(file: file.path, tensor: tensor.name, type: tensor.type.name)
            }
            resolved.append((placement, tensor))
        }
        let planned = Set(placements.map(\.ggufName))
        if let extra = file.tensors.first(where: { !planned.contains($0.name) }) {
            throw GGUFError.unexpectedTensor(file: file.path, tensor: extra.name)
        }
        return resolved
    }
}
