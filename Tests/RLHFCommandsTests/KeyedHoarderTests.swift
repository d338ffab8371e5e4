import ClusterTransport
import Foundation
import TestSupport
import XCTest

/// A keyed peer that asks for weights and never reads does not slow the others, with real processes on
/// loopback and CurveZMQ keys: a cluster with a second generator started with the hidden
/// `--fault hoard-weights` (at its first manifest it stops reading and asks for the version's chunks
/// every 10 ms) trains at the pace of the same cluster without it (its median iteration time over 16
/// iterations within 20% of the mean of two runs without it, one before and one after), to the same
/// numbers; the learner sent it no more than its credit and refused the rest.
final class KeyedHoarderTests: XCTestCase {
    var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }
    let sets = ["iterations=16", "eval_every=0", "save_every=0", "roles.rollout=1"].flatMap { ["--set", $0] }

    /// A keyed learner and its sound workers (one generator, scorer and referee), plus the hoarder when
    /// asked; waits for the learner and returns its run folder.
    func runCluster(in root: URL, hoarder: Bool) throws -> URL {
        let keys = root.appendingPathComponent("keys")
        _ = try ClusterKeys.generate(in: keys, workers: ["rollout-0", "rollout-1", "reward-0", "reference-0"])
        let run = try ClusterTestRun(binary: binary, root: root, config: TestPaths.clusterConfig, arguments: sets, keys: keys)
        if hoarder { try run.startWorker("rollout", name: "rollout-1", arguments: ["--fault", "hoard-weights"]) }
        try run.startWorker("rollout", name: "rollout-0")
        try run.startWorker("reward", name: "reward-0")
        try run.startWorker("reference", name: "reference-0")
        XCTAssertTrue(run.waitForLearner(), "hang guard: the run ended")
        XCTAssertEqual(run.learner.terminationStatus, 0, String(run.learnerLog.suffix(3000)))
        return run.output
    }

    /// The median `time/iteration` of a run.
    func medianIterationTime(_ output: URL) throws -> Double {
        let times = try RunOutput.metrics(output, dropping: []).compactMap { $0["time/iteration"] }.sorted()
        XCTAssertEqual(times.count, 16)
        return times[times.count / 2]
    }

    func testAHoardingPeerDoesNotSlowTheOthers() throws {
        try TestPaths.requireVADER()
        let root = temporaryPath("hoarder")
        defer { try? FileManager.default.removeItem(at: root) }
        // without, with, without: the machine's drift over the three runs cancels out of the comparison
        let plain = try runCluster(in: root.appendingPathComponent("plain"), hoarder: false)
        let hoarded = try runCluster(in: root.appendingPathComponent("hoarded"), hoarder: true)
        let plainAgain = try runCluster(in: root.appendingPathComponent("plain-again"), hoarder: false)
        let dropping = ["time/", "tokens_per_s", "cluster/"]
        XCTAssertEqual(try RunOutput.metrics(hoarded, dropping: dropping), try RunOutput.metrics(plain, dropping: dropping),
                       "the hoarder took no work: the same numbers")
        let counters = try RunOutput.metrics(hoarded, dropping: []).last ?? [:]
        XCTAssertGreaterThanOrEqual(counters["cluster/refused/credit_exhausted"] ?? 0, 10, "its requests past the credit were refused")
        let without = (try medianIterationTime(plain) + medianIterationTime(plainAgain)) / 2, with = try medianIterationTime(hoarded)
        print("median iteration: \(with) s with the hoarder, \(without) s without")
        XCTAssertLessThanOrEqual(with, without * 1.2, "median iteration \(with) s with the hoarder, \(without) s without")
    }
}
