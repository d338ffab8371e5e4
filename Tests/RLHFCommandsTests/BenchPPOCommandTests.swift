import Foundation
import XCTest

/// `rlhf bench ppo` runs one PPO iteration per run and reports each phase; bad PPO flags exit 2.
final class BenchPPOCommandTests: XCTestCase {
    var binary: URL {
        var dir = Bundle(for: Self.self).bundleURL
        while dir.pathExtension == "xctest" || dir.lastPathComponent == "Contents" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("rlhf")
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testOneIterationReportsEveryPhase() throws {
        let r = try run(["bench", "ppo", "--model", "gpt2-tiny", "--batch", "4", "--mini-batch", "2", "--ppo-epochs", "1",
                         "--prompt-len", "4", "--new-tokens", "4", "--warmup", "0", "--runs", "1", "--threads", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["workload"] as? String, "ppo")
        XCTAssertEqual(object["optimizer_steps"] as? Int, 2)
        let phases = ["generate_s", "score_s", "reference_s", "learn_s"].compactMap { object[$0] as? Double }
        XCTAssertEqual(phases.count, 4)
        XCTAssertTrue(phases.allSatisfy { $0 > 0 })
        XCTAssertLessThanOrEqual(phases.reduce(0, +), try XCTUnwrap(object["median_s"] as? Double) * 1.01)
    }

    func testBadMinibatchIsRefused() throws {
        let r = try run(["bench", "ppo", "--model", "gpt2-tiny", "--batch", "4", "--mini-batch", "8"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("--mini-batch"), r.stderr)
    }
}
