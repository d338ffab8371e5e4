import Foundation
import TestSupport
import XCTest

/// The same seed gives the same numbers wherever the run computes: `metrics.jsonl` (wall-clock numbers
/// and the cluster's own counters aside) is bit-identical over 6 iterations for the embedded `rlhf ppo`
/// with 1, 2 and 3 threads, and for `rlhf launch` from host files that place the learner and its workers
/// differently: 5 slots (each process pinned to its share of the cores), 5 slots with `cores=shared`,
/// one generator on 4 slots and four generators on 7.
final class PlacementInvarianceTests: XCTestCase {
    let config = TestPaths.packageRoot.appendingPathComponent("cluster/configs/sentiment-stories260k.yaml")
    let environment = ["RLHF_SHARED": TestPaths.shared.path, "RLHF_MODELS": TestPaths.models.path]
    let sets = ["iterations=6", "eval_every=3", "save_every=0"]

    /// The numbers of `output`'s metrics, without wall-clock numbers and cluster counters.
    func metrics(_ output: URL) throws -> [[String: Double]] {
        try RunOutput.metrics(output, dropping: ["time/", "tokens_per_s", "cluster/"])
    }

    /// Runs `arguments` (a subcommand and its flags) with the run's settings plus `extra`; it must succeed.
    func run(_ arguments: [String], extra: [String] = []) throws {
        let result = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                        arguments + ["--config", config.path] + (sets + extra).flatMap { ["--set", $0] },
                                        environment: environment)
        XCTAssertEqual(result.status, 0, String(result.stderr.suffix(3000)))
    }

    func assertSame(_ got: [[String: Double]], _ expected: [[String: Double]], _ what: String,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, 7, "\(what): 6 iterations and 1 evaluation", file: file, line: line)
        XCTAssertEqual(got.count, expected.count, what, file: file, line: line)
        for (g, e) in zip(got, expected) {
            let differing = e.keys.sorted().filter { g[$0]?.bitPattern != e[$0]?.bitPattern }
            XCTAssertEqual(differing, [], "\(what), iteration \(e["iteration"] ?? -1): \(differing.prefix(3).map { "\($0) \(g[$0] ?? .nan) against \(e[$0]!)" })",
                           file: file, line: line)
        }
    }

    func testEmbeddedRunsAndLaunchedClustersGiveTheSameNumbers() throws {
        try requireFile(FileManager.default.fileExists(atPath: TestPaths.models.appendingPathComponent("vader/vader_lexicon.txt").path),
                        "the VADER lexicon is missing: run `make models`")
        let root = temporaryPath("placement")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let reference = root.appendingPathComponent("threads-1")
        try run(["ppo", "--output", reference.path, "--threads", "1"])
        let expected = try metrics(reference)
        for threads in [2, 3] {
            let output = root.appendingPathComponent("threads-\(threads)")
            try run(["ppo", "--output", output.path, "--threads", "\(threads)"])
            assertSame(try metrics(output), expected, "rlhf ppo --threads \(threads)")
        }
        let placements: [(hosts: String, extra: [String])] = [
            ("localhost slots=5", []),
            ("localhost slots=5 cores=shared", []),
            ("localhost slots=4", ["roles.rollout=1"]),
            ("localhost slots=7", ["roles.rollout=4"]),
        ]
        for (index, placement) in placements.enumerated() {
            let hosts = root.appendingPathComponent("hosts-\(index)"), output = root.appendingPathComponent("launch-\(index)")
            try Data((placement.hosts + "\n").utf8).write(to: hosts)
            try run(["launch", "--hostfile", hosts.path, "--output", output.path], extra: placement.extra)
            assertSame(try metrics(output), expected, "rlhf launch on '\(placement.hosts)' \(placement.extra)")
        }
    }
}
