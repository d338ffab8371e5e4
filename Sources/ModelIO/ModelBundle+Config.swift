import Foundation
import Models

extension ModelBundle {
    /// The hyper-parameters of the model at `path` (HF folder, `.gguf`, llama2.c `.bin`) without reading
    /// its weights: for a model whose weights come from elsewhere (a cluster generator, streamed the
    /// policy by its learner). The same checks of the config as `load`.
    public static func loadConfig(path: String) throws -> TransformerConfig {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelPathError.notFound(path) }
        guard access(path, R_OK) == 0 else { throw ModelPathError.permissionDenied(path) }
        guard let format = ModelFormat.detect(path: path) else { throw ModelPathError.unknownFormat(path) }
        switch format {
        case .huggingFace:
            return try HFConfigReader.read(contentsOf: URL(fileURLWithPath: path).appendingPathComponent("config.json"))
        case .gguf:
            return try GGUFLlamaConfig.config(from: GGUFFile(path: path))
        case .llama2c:
            let mapping = try MappedFile(path: path) { Llama2cError.cannotOpen(file: path, reason: $0) }
            return try Llama2cHeader(bytes: mapping.bytes, file: path).config
        }
    }
}
