import Foundation

/// The `rlhf` executable that `swift build --build-tests` puts beside the test bundles, and the one way
/// tests run it: in the foreground (`run`, its output and status read back) or in the background (`start`).
package enum RLHFBinary {
    /// What one run of the binary left behind.
    package struct Run: Sendable {
        /// The exit status.
        package let status: Int32
        /// Standard output (empty when it went to a caller's file).
        package let stdout: String
        /// Standard error.
        package let stderr: String
        /// Wall-clock seconds from start to exit.
        package let seconds: Double
        /// The child's own peak resident memory in MB, when the run measured it.
        package let peakMegabytes: Double?
    }

    /// The binary beside the bundle of `testClass`.
    package static func url(besideBundleOf testClass: AnyClass) -> URL {
        var dir = Bundle(for: testClass).bundleURL
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("rlhf")
    }

    /// The environment that points run configs and commands at the shared data and models.
    package static let dataEnvironment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]

    /// Runs `binary` with `arguments` and waits for it.
    /// - Parameters:
    ///   - environment: changes to this process's environment (a nil value removes the variable).
    ///   - directory: the working directory (default: this process's).
    ///   - input: standard input (default: empty).
    ///   - stdout: where standard output goes instead of being read back.
    ///   - measuringPeakMemory: runs the binary under GNU `/usr/bin/time` to read its peak resident memory.
    package static func run(_ binary: URL, _ arguments: [String], environment: [String: String?] = [:], in directory: URL? = nil,
                           input: String? = nil, stdout: FileHandle? = nil, measuringPeakMemory: Bool = false) throws -> Run {
        let timing = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-time-\(UUID().uuidString).txt")
        defer { if measuringPeakMemory { try? FileManager.default.removeItem(at: timing) } }
        let process = Process()
        if measuringPeakMemory {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
            process.arguments = ["-o", timing.path, "-f", "%M", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        process.environment = merged(environment)
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        let start = Date()
        try process.run()
        if stdout != nil { try out.fileHandleForWriting.close() }
        if let input {
            let writer = stdin.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(Data(input.utf8))
                try? writer.close()
            }
        }
        let o = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        var peak: Double?
        if measuringPeakMemory {
            let lines = (try? String(contentsOf: timing, encoding: .utf8))?.split(separator: "\n") ?? []
            peak = (lines.last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? .infinity) / 1024
        }
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                   stderr: String(decoding: e, as: UTF8.self), seconds: seconds, peakMegabytes: peak)
    }

    /// Starts `binary` with `arguments` in the background (this environment with `environment` on top),
    /// its output to `log` (or discarded), standard input empty.
    package static func start(_ binary: URL, _ arguments: [String], environment: [String: String?] = [:], log: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = merged(environment)
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func merged(_ changes: [String: String?]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        return environment
    }
}
