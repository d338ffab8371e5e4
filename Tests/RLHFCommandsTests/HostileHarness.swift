import Foundation
import Storage
import TestSupport
import XCTest

/// The `rlhf` binary against a hostile or careless user, for the tests of that promise: each run under
/// `/usr/bin/time` (for the child's own peak memory) in a scratch folder, the refusal it must end in (status
/// 2, one `error:` line, within bounds), and byte-for-byte snapshots of the user's files before and after.
final class HostileHarness {
    /// A fresh scratch folder, removed by `tearDown`.
    let scratch: URL
    /// The binary beside the test bundle.
    let binary: URL

    /// Bounds a refused run must stay within: 2 s and 400 MB, or 10 s and 1.5 GB where the case needs a
    /// bigger input.
    struct Bounds {
        var seconds = 2.0, megabytes = 400.0
        static let small = Bounds()
        static let big = Bounds(seconds: 10, megabytes: 1500)
    }

    /// What one run left behind.
    struct Outcome { let status: Int32; let stdout: String; let stderr: String; let seconds: Double; let peakMB: Double }

    init(for testClass: AnyClass) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        binary = RLHFBinary.url(besideBundleOf: testClass)
    }

    /// Removes the scratch folder.
    func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    /// The environment that points run configs at the shared data and models.
    static let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]

    /// Runs `rlhf arguments` in `directory` (default: the scratch folder), standard output to `stdout` when given.
    func run(_ arguments: [String], in directory: URL? = nil, stdout: FileHandle? = nil,
             environment: [String: String] = HostileHarness.environment) throws -> Outcome {
        let timing = scratch.appendingPathComponent(".time-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: timing) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-o", timing.path, "-f", "%M", binary.path] + arguments
        process.currentDirectoryURL = directory ?? scratch
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        if stdout != nil { try out.fileHandleForWriting.close() }
        let o = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let timeLines = (try? String(contentsOf: timing, encoding: .utf8))?.split(separator: "\n") ?? []
        let kilobytes = timeLines.last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? .infinity
        return Outcome(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                       stderr: String(decoding: e, as: UTF8.self), seconds: seconds, peakMB: kilobytes / 1024)
    }

    /// Runs `arguments`, which must fail with status 2 and exactly one `error:` line mentioning each of
    /// `mentions`, within `bounds`, leaving every folder of `untouched` byte for byte as it was and no
    /// `*.replaced-*` folder anywhere in the scratch folder; returns that line.
    @discardableResult
    func assertRefused(_ arguments: [String], in directory: URL? = nil, stdout: FileHandle? = nil, mentions: [String] = [],
                       untouched: [URL] = [], bounds: Bounds = .small, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let before = try untouched.map(snapshot)
        let outcome = try run(arguments, in: directory, stdout: stdout)
        XCTAssertEqual(outcome.status, 2, "\(arguments.map { $0.prefix(80) }): \(outcome.stderr)", file: file, line: line)
        let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 1, "\(arguments.map { $0.prefix(80) }): \(outcome.stderr)", file: file, line: line)
        let message = lines.first.map(String.init) ?? ""
        XCTAssertTrue(message.hasPrefix("error: "), message, file: file, line: line)
        for needle in mentions { XCTAssertTrue(message.contains(needle), "'\(message)' lacks '\(needle)'", file: file, line: line) }
        XCTAssertLessThan(outcome.seconds, bounds.seconds, "\(arguments.prefix(3)) took \(outcome.seconds) s", file: file, line: line)
        XCTAssertLessThan(outcome.peakMB, bounds.megabytes, "\(arguments.prefix(3)) used \(outcome.peakMB) MB", file: file, line: line)
        for (folder, state) in zip(untouched, before) {
            XCTAssertEqual(try snapshot(folder), state, "\(folder.path) changed", file: file, line: line)
        }
        XCTAssertEqual(try leftovers(), [], "a failed write left a folder behind", file: file, line: line)
        return message
    }

    /// What a path holds, for byte-for-byte comparisons: each entry's kind and bytes (a folder's entries by
    /// relative path; special files by their kind and device number).
    func snapshot(_ url: URL) throws -> [String: String] {
        var state: [String: String] = [:]
        func record(_ path: String, as name: String) throws {
            var info = stat()
            guard lstat(path, &info) == 0 else { return }
            switch info.st_mode & S_IFMT {
            case S_IFREG: state[name] = "file " + (try Data(contentsOf: URL(fileURLWithPath: path))).base64EncodedString()
            case S_IFDIR: state[name] = "folder"
            default: state[name] = "special \(info.st_mode & S_IFMT) \(info.st_rdev)"
            }
        }
        try record(url.path, as: ".")
        if FileKind(url) == .folder, let names = FileManager.default.enumerator(atPath: url.path) {
            while let name = names.nextObject() as? String { try record(url.appendingPathComponent(name).path, as: name) }
        }
        return state
    }

    /// `*.replaced-*` folders anywhere under the scratch folder.
    func leftovers() throws -> [String] {
        (FileManager.default.enumerator(atPath: scratch.path)?.allObjects as? [String] ?? []).filter { $0.contains(".replaced-") }
    }

    /// A folder of the user's own (notes, a binary file in a subfolder); returns it.
    func userFolder(_ name: String = "user") throws -> URL {
        let folder = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("my notes\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try Data((0..<256).map(UInt8.init)).write(to: folder.appendingPathComponent("sub/data.bin"))
        return folder
    }

    /// A file at `name` in the scratch folder holding `text`; returns it.
    @discardableResult
    func file(_ name: String, _ text: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// A file of `size` bytes that takes no disk: `prefix`, then a hole.
    @discardableResult
    func sparseFile(_ url: URL, size: Int = 4 << 30, prefix: String = "") throws -> URL {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(prefix.utf8).write(to: url)
        guard truncate(url.path, off_t(size)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return url
    }

    /// A copy of `source` at `name` in the scratch folder (replacing what was there); returns it.
    func copy(_ source: URL, to name: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: url)
        return url
    }
}

/// What is at a URL, by `lstat`, for the harness's snapshots.
private enum FileKind: Equatable {
    case folder, other, missing
    init(_ url: URL) {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { self = .missing; return }
        self = info.st_mode & S_IFMT == S_IFDIR ? .folder : .other
    }
}
