import Foundation
import TestSupport
import XCTest

/// `rlhf launch --launcher slurm` inside a real `salloc` over two nodes: a Slurm cluster the test makes
/// (slurmctld here, one slurmd in each of two namespace hosts). Every process is a job step on its node,
/// the learner too, bound to its node's address; the run finishes with the embedded run's numbers
/// although one worker's step is cancelled with `scancel` on the way.
final class SlurmLauncherTests: XCTestCase {
    func testRunInsideSallocSurvivesAScancelledStep() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        let root = try temporaryFolder("rlhf-slurm")
        let hosts = try NamespaceHosts(count: 2, tag: "rlhfslm")
        defer { hosts.close() }
        let slurm = try SlurmCluster(on: hosts, folder: root.appendingPathComponent("slurm"), cpus: 2)
        defer { slurm.stop() }
        let output = root.appendingPathComponent("run")
        // long enough that the killed worker is started again before the run ends (one iteration takes ~0.1 s)
        let iterations = 60
        let sets = ["iterations=\(iterations)", "eval_every=0", "save_every=0"].flatMap { ["--set", $0] }
        var environment = TestPaths.environment
        for (key, value) in slurm.environment { environment[key] = value }
        let process = try RLHFBinary.start(URL(fileURLWithPath: "/usr/bin/salloc"),
                                           ["-N2", "--job-name=rlhf-test", binary.path, "launch", "--launcher", "slurm", "--slots-per-node", "3",
                                            "--config", TestPaths.clusterConfig.path, "--output", output.path] + sets,
                                           environment: environment, log: root.appendingPathComponent("launch.log"))
        let run = LaunchedRun(process: process, output: output, root: root, binary: binary)
        defer { run.killAll() }
        XCTAssertTrue(run.wait(seconds: 180) { run.metrics.count >= 2 || !process.isRunning }, String(run.log.suffix(3000)))
        XCTAssertTrue(process.isRunning, String(run.log.suffix(3000)))

        // every process is a step of the allocation on its node; the learner binds node 1's address
        let steps = try slurm.steps()
        let names = Set(steps.values)
        XCTAssertEqual(names, ["rlhf-learner", "rlhf-worker-rollout-0", "rlhf-worker-rollout-1", "rlhf-worker-reward-0", "rlhf-worker-reference-0"],
                       "\(steps)")
        XCTAssertTrue((run.cluster["endpoint"] as? String)?.hasPrefix("tcp://\(hosts.hosts[0].address):") == true, "\(run.cluster)")
        let placed = run.processes.map { $0["host"] as? String ?? "" }
        XCTAssertEqual(Set(placed), Set(slurm.nodes), "the plan uses both nodes: \(placed)")
        let hostFile = try String(contentsOf: output.appendingPathComponent("hosts.slurm.txt"), encoding: .utf8)
        XCTAssertEqual(hostFile, "n1 slots=3\nn2 slots=3\n", "the allocation as a host file, for --resume")

        // scancel one worker's step: its srun ends, the launcher starts it again as a new step
        let victim = try XCTUnwrap(steps.first { $0.value == "rlhf-worker-rollout-0" }?.key)
        try SystemCommand.check(["scancel", victim], environment: slurm.environment)
        XCTAssertTrue(run.wait(seconds: 240) { !process.isRunning }, String(run.log.suffix(3000)))
        XCTAssertEqual(process.terminationStatus, 0, String(run.log.suffix(3000)))
        XCTAssertTrue(run.log.contains("rollout-0 exited") && run.log.contains("starting it again"), String(run.log.suffix(3000)))
        try run.assertMatchesEmbedded(sets, iterations: iterations)
    }
}
