import Foundation

/// Where tests find the shared data, fixtures and downloaded models.
///
/// `RLHF_SHARED` overrides the shared folder (default `<package root>/../shared`);
/// `RLHF_MODELS` overrides the models folder (default `<package root>/models`, filled by `make models`).
package enum TestPaths {
    /// The package root (the folder holding Package.swift).
    package static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `../shared` beside the package, or `$RLHF_SHARED`.
    package static let shared: URL = {
        if let s = ProcessInfo.processInfo.environment["RLHF_SHARED"] { return URL(fileURLWithPath: s) }
        return packageRoot.appendingPathComponent("../shared").standardized
    }()

    /// `shared/fixtures/<name>`.
    package static func fixture(_ name: String) -> URL { shared.appendingPathComponent("fixtures/\(name)") }
    /// `shared/data/<name>`.
    package static func data(_ name: String) -> URL { shared.appendingPathComponent("data/\(name)") }

    /// `models/` in the package, or `$RLHF_MODELS`.
    package static let models: URL = {
        if let s = ProcessInfo.processInfo.environment["RLHF_MODELS"] { return URL(fileURLWithPath: s) }
        return packageRoot.appendingPathComponent("models")
    }()

    /// The SmolLM2-135M-Instruct Q4_1 GGUF fetched by `make models`.
    package static var smolLM2GGUF: URL { models.appendingPathComponent("smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") }
    /// The all-MiniLM-L6-v2 folder fetched by `make models`.
    package static var miniLM: URL { models.appendingPathComponent("all-minilm-l6-v2") }

    /// The environment that points a started `rlhf` at these folders (`RLHF_SHARED`, `RLHF_MODELS`).
    package static var environment: [String: String?] { ["RLHF_SHARED": shared.path, "RLHF_MODELS": models.path] }

    /// The stories260K sentiment cluster config the cluster tests run (`cluster/configs/`).
    package static var clusterConfig: URL { packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml") }

    /// Throws the skip-free failure of a test that needs the VADER lexicon from `make models`.
    package static func requireVADER() throws {
        try requireFile(FileManager.default.fileExists(atPath: models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
    }
}

/// Errors tests raise when their inputs are missing (a failure, never a skip: `make test` fetches them).
package struct MissingTestInput: Error, CustomStringConvertible {
    /// What is missing and how to get it.
    package let description: String
}

/// Throws (failing the test) unless `condition` holds; `message` says how to provide the input.
package func requireFile(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw MissingTestInput(description: message()) }
}
