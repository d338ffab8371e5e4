import Foundation
import XCTest

/// The `rlhf` binary against a hostile or careless user, for the tests of that promise: each run under
/// `/usr/bin/time` (for the child's own peak memory) in a scratch folder, the refusal it must end in (status
/// 2, one `error:` line, within bounds), and byte-for-byte snapshots of the user's files before and after.
package final class HostileHarness {
    /// A fresh scratch folder, removed by `tearDown`.
    package let scratch: URL
    /// The binary beside the test bundle.
    package let binary: URL

    /// Bounds a refused run must stay within: 2 s and 400 MB, or 10 s and 1.5 GB where the case needs a
    /// bigger input. The time bound is a hang guard: the refusals it guards take well under 0.2 s.
    package struct Bounds: Sendable {
        /// The most wall-clock seconds a refusal may take.
        package var seconds = 2.0
        /// The most peak resident memory, in MB, a refusal may use.
        package var megabytes = 400.0
        /// The bounds of most cases.
        package static let small = Bounds()
        /// The bounds of cases that need a big input.
        package static let big = Bounds(seconds: 10, megabytes: 1500)
    }

    /// A harness with a fresh scratch folder, running the binary beside the bundle of `testClass`.
    package init(for testClass: AnyClass) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        binary = RLHFBinary.url(besideBundleOf: testClass)
    }

    /// Removes the scratch folder.
    package func tearDown() { try? FileManager.default.removeItem(at: scratch) }

    /// Runs `rlhf arguments` in `directory` (default: the scratch folder), standard output to `stdout` when
    /// given, measuring its peak memory.
    package func run(_ arguments: [String], in directory: URL? = nil, stdout: FileHandle? = nil,
                    environment: [String: String?] = RLHFBinary.dataEnvironment) throws -> RLHFBinary.Run {
        try RLHFBinary.run(binary, arguments, environment: environment, in: directory ?? scratch, stdout: stdout,
                           measuringPeakMemory: true)
    }

    /// Runs `arguments`, which must be refused (`assertRefused`: status 2 and exactly one `error:` line
    /// mentioning each of `mentions`), within `bounds`, leaving every folder of `untouched` byte for byte as
    /// it was and no `*.replaced-*` folder anywhere in the scratch folder; returns that line.
    @discardableResult
    package func assertRefused(_ arguments: [String], in directory: URL? = nil, stdout: FileHandle? = nil, mentions: [String] = [],
                              untouched: [URL] = [], bounds: Bounds = .small, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let before = try untouched.map(snapshot)
        let outcome = try run(arguments, in: directory, stdout: stdout)
        let what = "\(arguments.map { $0.prefix(80) })"
        let message = TestSupport.assertRefused(outcome, mentioning: mentions, what, file: file, line: line)
        XCTAssertLessThan(outcome.seconds, bounds.seconds, "\(arguments.prefix(3)) took \(outcome.seconds) s", file: file, line: line)
        let peak = outcome.peakMegabytes ?? .infinity
        XCTAssertLessThan(peak, bounds.megabytes, "\(arguments.prefix(3)) used \(peak) MB", file: file, line: line)
        for (folder, state) in zip(untouched, before) {
            XCTAssertEqual(try snapshot(folder), state, "\(folder.path) changed", file: file, line: line)
        }
        XCTAssertEqual(try leftovers(), [], "a failed write left a folder behind", file: file, line: line)
        return message
    }

    /// What a path holds, for byte-for-byte comparisons: each entry's kind and bytes (a folder's entries by
    /// relative path; special files by their kind and device number).
    package func snapshot(_ url: URL) throws -> [String: String] {
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
    package func leftovers() throws -> [String] {
        (FileManager.default.enumerator(atPath: scratch.path)?.allObjects as? [String] ?? []).filter { $0.contains(".replaced-") }
    }

    /// A folder of the user's own (notes, a binary file in a subfolder); returns it.
    package func userFolder(_ name: String = "user") throws -> URL {
        let folder = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("my notes\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        try Data((0..<256).map(UInt8.init)).write(to: folder.appendingPathComponent("sub/data.bin"))
        return folder
    }

    /// A file at `name` in the scratch folder holding `text`; returns it.
    @discardableResult
    package func file(_ name: String, _ text: String) throws -> URL {
        let url = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// A file of `size` bytes that takes no disk: `prefix`, then a hole.
    @discardableResult
    package func sparseFile(_ url: URL, size: Int = 4 << 30, prefix: String = "") throws -> URL {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(prefix.utf8).write(to: url)
        guard truncate(url.path, off_t(size)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return url
    }

    /// A copy of `source` at `name` in the scratch folder (replacing what was there); returns it.
    package func copy(_ source: URL, to name: String) throws -> URL {
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
