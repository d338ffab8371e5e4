import Foundation
import Models
import ModelIO

/// Opens a model from a path given on the command line.
enum ModelLoading {
    /// Loads a Hugging Face folder, GGUF file or llama2.c checkpoint into a `CausalLM`.
    static func load(path: String) throws -> CausalLM {
        let (_, config, store) = try ModelFiles.load(path: path)
        return CausalLM(config: config, parameters: store)
    }
}
