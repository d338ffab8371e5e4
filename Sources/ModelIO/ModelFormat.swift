import Foundation
import Models

/// The checkpoint formats a model path can be in.
public enum ModelFormat: String, Sendable {
    /// A Hugging Face folder: config.json + model.safetensors (or a sharded index).
    case huggingFace
    /// A GGUF file (llama.cpp).
    case gguf
    /// A llama2.c legacy checkpoint (`.bin`).
    case llama2c

    /// Tells the format of `path` from what is on disk; nil when it is none of them.
    public static func detect(path: String) -> ModelFormat? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue {
            return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("config.json"))
                ? .huggingFace : nil
        }
        // a FIFO or device is no model (and opening a FIFO without O_NONBLOCK would wait for a writer)
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return path.hasSuffix(".bin") ? .llama2c : nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var magic = [UInt8](repeating: 0, count: 4)
        if read(fd, &magic, 4) == 4 && magic == Array("GGUF".utf8) { return .gguf }
        return path.hasSuffix(".bin") ? .llama2c : nil
    }
}

/// Errors opening a model path.
public struct ModelPathError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, with its details: package-internal, so that cases can be added without breaking users.
    package enum Code: Equatable, Sendable {
        /// Nothing at the path.
        case notFound(String)
        /// Something there, but not a known format.
        case unknownFormat(String)
        /// Something there that this user may not read.
        case permissionDenied(String)
    }

    /// What went wrong.
    package let code: Code

    /// The error of `code`.
    package init(_ code: Code) { self.code = code }

    /// Nothing at the path.
    public static func notFound(_ v0: String) -> ModelPathError { ModelPathError(.notFound(v0)) }
    /// Something there, but not a known format.
    public static func unknownFormat(_ v0: String) -> ModelPathError { ModelPathError(.unknownFormat(v0)) }
    /// Something there that this user may not read.
    public static func permissionDenied(_ v0: String) -> ModelPathError { ModelPathError(.permissionDenied(v0)) }

    /// A one-line description.
    public var description: String {
        switch code {
        case .notFound(let p): "model not found: \(p)"
        case .permissionDenied(let p): "cannot read the model \(p): permission denied"
        case .unknownFormat(let p):
            "cannot tell the model format of \(p): expected a Hugging Face folder with config.json, a .gguf file or a llama2.c .bin"
        }
    }
}
