import Foundation
import TestSupport
import XCTest

/// Generators on the learner's host take every weight version from its shared-memory file (written once,
/// checked by the manifest's CRCs) instead of its chunks, with the embedded run's numbers; the learner
/// leaves no file behind.
final class SharedWeightsRunTests: XCTestCase {
    func testLocalGeneratorsTakeWeightsFromSharedMemory() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let root = try temporaryFolder("rlhf-shm")
        let iterations = 4
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        let run = try LaunchedRun.start(binary, sets, in: root, waitingFor: iterations)
        defer { run.killAll() }
        let learnerPID = run.pids.first ?? 0
        XCTAssertTrue(run.wait(seconds: 120) { !run.process.isRunning }, String(run.log.suffix(3000)))
        XCTAssertEqual(run.process.terminationStatus, 0, String(run.log.suffix(3000)))
        let taken = run.log.split(separator: "\n").filter { $0.contains("rollout#") && $0.contains("from shared memory") }
        // each of the two generators takes each of the iterations' versions (v0 to v3), all from the file
        XCTAssertEqual(taken.count, 2 * iterations, String(run.log.suffix(3000)))
        XCTAssertFalse(run.log.contains("in chunks:"), String(run.log.suffix(3000)))
        let left = try FileManager.default.contentsOfDirectory(atPath: "/dev/shm").filter { $0.hasPrefix("rlhf-weights-\(learnerPID)-") }
        XCTAssertEqual(left, [], "the learner unlinks its files")
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }
}
