import Foundation
import TestSupport
import XCTest

/// `make dist`'s tarball on a machine without Swift: unpacked, it scores and generates in a mount namespace
/// where the Swift toolchain (`/opt/swift`) and the build folder are hidden and the system's copy of every
/// library the tarball carries is masked, with the same output, byte for byte, as the built binary.
final class DistTarballTests: XCTestCase {
    func testTarballRunsWithoutSwiftOrTheSystemsLibraries() throws {
        let tarball = try DistTarball.locate()
        let root = try temporaryFolder("rlhf-dist")
        let unpacked = try DistTarball.unpack(tarball, into: root)
        XCTAssertNoThrow(try SystemCommand.check(["sh", "-c", "cd '\(unpacked.path)' && sha256sum -c --quiet SHA256SUMS"]), "the files match SHA256SUMS")
        let beside = try String(contentsOf: tarball.appendingPathExtension("sha256"), encoding: .utf8)
        let digest = try SystemCommand.check(["sha256sum", tarball.path])
        XCTAssertEqual(beside.split(separator: " ").first, digest.split(separator: " ").first, "the .sha256 beside the tarball is its digest")
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: tarball.path)[.size] as? Int)
        XCTAssertLessThan(size, 48 << 20, "small enough to travel with a working tree to the GPU machines (64 MiB in all)")

        let libraries = try FileManager.default.contentsOfDirectory(atPath: unpacked.appendingPathComponent("lib").path).sorted()
        XCTAssertTrue(libraries.contains("libzmq.so.5") && libraries.contains("libopenblas.so.0"), "\(libraries)")
        XCTAssertFalse(libraries.contains { $0.hasPrefix("libswift") || $0.hasPrefix("libFoundation") || $0.hasPrefix("libc.so") },
                       "the Swift runtime is linked in; glibc is the host's: \(libraries)")

        let built = RLHFBinary.url(besideBundleOf: Self.self)
        let model = TestPaths.data("stories260K/stories260K.bin").path, tokenizer = TestPaths.data("stories260K/tok512.bin").path
        let commands = [["score", "--model", model, "--tokenizer", tokenizer, "--text", "Once upon a time there was a little girl"],
                        ["generate", "--model", model, "--tokenizer", tokenizer, "--prompt", "Once upon a time", "--max-new-tokens", "24",
                         "--seed", "7"]]
        // each library the tarball carries, where the system has it too, is masked by /dev/null
        let masks = try libraries.compactMap { name -> String? in
            let found = try SystemCommand.check(["sh", "-c", "ldconfig -p | awk '$1 == \"\(name)\" {print $NF}' | head -1"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return found.isEmpty ? nil : URL(fileURLWithPath: found).resolvingSymlinksInPath().path
        }
        XCTAssertGreaterThan(masks.count, 5, "the system has the libraries the tarball carries, so masking them means something")
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let hide = (["/opt/swift", TestPaths.packageRoot.appendingPathComponent(".build").path].map { "mount --bind '\(empty.path)' '\($0)'" }
                    + masks.map { "mount --bind /dev/null '\($0)'" }).joined(separator: " && ")
        for arguments in commands {
            let expected = try RLHFBinary.run(built, arguments)
            XCTAssertEqual(expected.status, 0, expected.stderr)
            let line = "\(hide) && test ! -e /opt/swift/usr && ldd '\(unpacked.path)/rlhf' | grep -c '\(unpacked.path)/lib/' && "
                + "'\(unpacked.path)/rlhf' " + arguments.map { "'\($0)'" }.joined(separator: " ") + " 2>/dev/null"
            let hidden = try SystemCommand.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", line], timeout: 120)
            XCTAssertEqual(hidden.status, 0, hidden.output)
            var lines = hidden.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let resolved = Int(lines.removeFirst()) ?? 0
            XCTAssertEqual(resolved, libraries.count, "every library resolves to the tarball's lib/")
            XCTAssertEqual(lines.joined(separator: "\n"), expected.stdout, "\(arguments[0]): the built binary's output")
        }
    }
}
