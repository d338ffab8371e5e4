import Foundation
import Models
import ModelIO

/// Errors opening a model path given on the command line.
enum ModelPathError: Error, CustomStringConvertible {
    case notFound(String)
    case unknownFormat(String)

    var description: String {
        switch self {
        case .notFound(let p): "model not found: \(p) (expected a Hugging Face folder with config.json)"
        case .unknownFormat(let p): "cannot tell the model format of \(p): expected a folder with config.json"
        }
    }
}

/// Opens a model from a path given on the command line.
enum ModelLoading {
    /// Loads a Hugging Face folder into a `CausalLM`.
    static func load(path: String) throws -> CausalLM {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelPathError.notFound(path)
        }
        guard isDirectory.boolValue else { throw ModelPathError.unknownFormat(path) }
        let (config, store) = try HFCheckpoint.load(directory: URL(fileURLWithPath: path))
        return CausalLM(config: config, parameters: store)
    }
}
