import Foundation

/// The `rlhf` executable that `swift build --build-tests` puts beside the test bundle, and one way to run it.
enum RLHFBinary {
    /// What one run of the binary left behind.
    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary beside the bundle of `testClass`.
    static func url(besideBundleOf testClass: AnyClass) -> URL {
        var dir = Bundle(for: testClass).bundleURL
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("rlhf")
    }

    /// Runs `binary` with `arguments` (standard input empty), the environment with `environment` set on top.
    static func run(_ binary: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self))
    }
}
