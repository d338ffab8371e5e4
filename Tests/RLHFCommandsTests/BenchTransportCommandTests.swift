import Foundation
import TestSupport
import XCTest

/// `rlhf bench transport` with tiny sizes: every measurement runs through the real transports, every
/// generator gets the verified weights (the bench fails otherwise), every task takes its 3 leases; bad
/// options exit 2. Nothing here is timed.
final class BenchTransportCommandTests: XCTestCase {
    func run(_ arguments: [String]) throws -> RLHFBinary.Run {
        try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self), ["bench", "transport"] + arguments)
    }

    /// Generators as `rlhf bench stand-in` processes (started through `env`, on this host): a LoRA adapter's
    /// merge, then the adapter sealed and over each CurveZMQ connection, each installed by both generators.
    func testGeneratorProcessesTakeAnAdapterSealedAndUnsealed() throws {
        let r = try run(["--generator-host", "env", "--model", "gpt2-tiny", "--lora-rank", "4", "--generators", "2", "--security", "curve",
                         "--runs", "1", "--warmup", "0", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try r.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        XCTAssertEqual(lines.map { $0["measurement"] as? String }, ["adapter_merge", "weights", "weights"], r.stdout)
        XCTAssertEqual(lines.dropFirst().map { $0["path"] as? String }, ["sealed", "chunks"])
        let adapterBytes = try XCTUnwrap(lines[0]["adapter_bytes"] as? Int)
        XCTAssertGreaterThan(adapterBytes, 0)
        for line in lines.dropFirst() {
            XCTAssertEqual(line["bytes_per_generator"] as? Int, adapterBytes, "the adapter is what travels")
            XCTAssertEqual(line["generators"] as? Int, 2)
            XCTAssertEqual((line["times_s"] as? [Double])?.count, 1)
        }
    }

    func testTinyRunReportsEveryMeasurement() throws {
        let r = try run(["--floats", "1000000", "--generators", "2", "--workers", "8", "--tasks", "100",
                         "--runs", "1", "--warmup", "0", "--flood-seconds", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = try r.stdout.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        XCTAssertEqual(lines.map { $0["measurement"] as? String },
                       ["weights", "weights", "weights", "weights", "codec", "codec", "codec", "leases", "leases", "flood", "flood"], r.stdout)
        XCTAssertTrue(lines.allSatisfy { $0["workload"] as? String == "transport" })
        let paths = [("plain", "chunks"), ("plain", "shared-memory"), ("curve", "sealed"), ("curve", "shared-memory")]
        for (line, (security, path)) in zip(lines.filter { $0["measurement"] as? String == "weights" }, paths) {
            XCTAssertEqual(line["security"] as? String, security)
            XCTAssertEqual(line["path"] as? String, path)
            XCTAssertEqual(line["from_shared_memory"] as? Int, path == "shared-memory" ? 2 : 0, "each generator took the version from the file")
            XCTAssertEqual(line["generators"] as? Int, 2)
            XCTAssertEqual(line["bytes_per_generator"] as? Int, 4_000_000)
            XCTAssertEqual((line["times_s"] as? [Double])?.count, 1)
            XCTAssertEqual(line["dropped"] as? [String: Int], [:], "no generator dropped a chunk")
        }
        XCTAssertEqual(lines.filter { $0["measurement"] as? String == "codec" }.compactMap { $0["message"] as? String },
                       ["ROLLOUT", "ROLLOUT_TASK", "WEIGHTS_MANIFEST"])
        for (line, security) in zip(lines.filter { $0["measurement"] as? String == "leases" }, ["plain", "curve"]) {
            XCTAssertEqual(line["security"] as? String, security)
            XCTAssertEqual(line["workers"] as? Int, 8)
            XCTAssertEqual([line["rollout_workers"], line["reward_workers"], line["reference_workers"]] as? [Int], [4, 2, 2])
            XCTAssertEqual(line["tasks"] as? Int, 100)
            XCTAssertEqual(line["leases_per_round"] as? Int, 300, "3 leases a task: rollout, score, reference")
            XCTAssertGreaterThan(line["leases_per_s"] as? Double ?? 0, 0)
        }
        for (line, security) in zip(lines.filter { $0["measurement"] as? String == "flood" }, ["plain", "curve"]) {
            XCTAssertEqual(line["security"] as? String, security)
            XCTAssertEqual(line["frame_bytes"] as? Int, 64 << 20)
            XCTAssertGreaterThan(line["frames_sent"] as? Int ?? 0, 0, "the flood ran")
            XCTAssertGreaterThan(line["round_trips"] as? Int ?? 0, 0, "the honest peers were answered under it")
        }
    }

    func testBadOptionsAreRefused() throws {
        for arguments in [["--generators", "0"], ["--workers", "2"], ["--floats", "0"], ["--tasks", "0"], ["--security", "tls"],
                          ["--flood-seconds", "nan"], ["--flood-seconds", "-1"], ["--flood-seconds", "1e9"]] {
            let r = try run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(arguments[0]), r.stderr)
        }
        let r = try run(["--generators", "0"])
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
    }
}
