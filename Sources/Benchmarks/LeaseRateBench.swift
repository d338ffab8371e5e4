import Logging
import PPO
import Training
import Wire

/// `rlhf bench transport`, measurement 3: leases per second. A `RoundRunner` over the learner's ZeroMQ
/// transport leases rounds of tiny tasks (one prompt row of 4 tokens, 4 response tokens) to `workers`
/// stand-ins in this process (half rollout, a quarter reward, the rest reference), each answering every
/// lease at once; a task takes 3 leases (rollout, score, reference). The rate is the runner's
/// `leasesIssued` over the round's seconds. Before the timed rounds, untimed rounds let the runner see
/// every stand-in's hello and, without `--tasks`, grow until a round lasts at least 2 s.
///
/// With `churn` > 0 the same rounds are timed again while `churn` stand-ins leave and as many join
/// every second (`LeaseChurn`), through a `DepartureAudit` of the learner's transport: the line gets a
/// `churn` part (`LeaseChurnReport`), and the bench fails if a churned round loses or repeats a task.
package enum LeaseRateBench {
    /// The JSON line of one security.
    package struct Result: Encodable {
        package let workload = "transport", measurement = "leases"
        package let security: BenchSecurity
        package let workers: Int, rollout_workers: Int, reward_workers: Int, reference_workers: Int
        package let tasks: Int, leases_per_round: Int
        /// Median, lowest and highest leases per second, and each timed round's.
        package let leases_per_s: Double, min_leases_per_s: Double, max_leases_per_s: Double, rates: [Double]
        /// Each lease is a round trip (a lease out, a result back): the learner's messages per second.
        package let round_trips_per_s: Double, messages_per_s: Double
        /// Median seconds of a round, and of the learner's coordination in it (dispatcher and sends).
        package let round_s: Double, coordination_s: Double
        package let target_leases_per_s: Double, meets_target: Bool
        /// The same rounds under churn (nil without `churn`).
        package var churn: LeaseChurnReport?
    }

    /// The target with 64 registered workers.
    static let target = 5_000.0
    /// The most tasks in one round.
    static let sizeLimit = 200_000
    /// Seconds one round may take before the bench gives up.
    static let roundLimit = 600.0

    /// The roles of `workers` stand-ins: half rollout, a quarter reward, the rest reference (at least one each).
    static func roles(_ workers: Int) -> [WorkerRole] {
        let rollout = max(1, workers / 2), reward = max(1, workers / 4)
        return Array(repeating: .rollout, count: rollout) + Array(repeating: .reward, count: reward)
            + Array(repeating: .reference, count: workers - rollout - reward)
    }

    /// Measures `warmup` untimed and `runs` timed rounds of `tasks` tasks (nil: grown until a round lasts 2 s).
    /// With `churn` > 0, then as many rounds of the same size while `churn` stand-ins leave and join
    /// every second; drained leavers listen for `linger` seconds after `STOP`.
    package static func measure(security: BenchSecurity, workers: Int, tasks: Int?, warmup: Int, runs: Int, churn: Int = 0,
                                linger: Double = 2, logger: Logger,
                                progress: (ProgressReport) -> Void = { _ in }) async throws -> Result {
        let roles = roles(workers)
        let cluster = try await BenchCluster.start(security, roles: roles, logger: logger)
        let audit = churn > 0 ? DepartureAudit(cluster.learner) : nil
        let runner = RoundRunner(transport: audit ?? cluster.learner)
        let weights = PolicyWeights(version: 1, replaces: nil, tensors: [WeightTensor(name: "bench.w", shape: [16])],
                                    values: WeightValues([Float](repeating: 0.5, count: 16)))
        let churner = churn > 0 ? LeaseChurn(cluster: cluster, layout: weights.tensors, perSecond: churn,
                                             linger: .milliseconds(Int(linger * 1000)), logger: logger) : nil
        let standIns = churner == nil ? cluster.startStandIns(layout: weights.tensors) : []
        await churner?.start()
        var iteration = 0
        func round(_ count: Int) async throws -> (RoundOutcome, leases: Int) {
            let tasks = (0..<count).map { index in
                let id = TaskID(iteration: iteration, index: index)
                return RolloutTask(id: id, policyVersion: 1, prompts: [[11, 12, 13, 14]], seed: id.seed(runSeed: 0),
                                   sampling: SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: 4, stopTokens: []))
            }
            let (before, requeuedBefore) = await runner.counters
            let current = iteration
            iteration += 1
            let outcome = try await withBenchTimeout(roundLimit, waitingFor: "a round of \(count) tasks") {
                try await runner.run(iteration: current, tasks: tasks, weights: weights)
            }
            let (after, requeued) = await runner.counters
            // under churn a leaver's lease is issued again: more than 3 a task, each task still once
            let leasesFit = churner == nil ? after - before == 3 * count : after - before >= 3 * count
            guard outcome.entries.count == count, leasesFit,
                  outcome.entries.map(\.task.id) == tasks.map(\.id), outcome.entries.allSatisfy(\.isComplete) else {
                throw TransportBenchError.leaseCount(tasks: count, leases: after - before, requeued: requeued - requeuedBefore)
            }
            return (outcome, after - before)
        }
        do {
            try await waitForHellos(runner, cluster, round: { _ = try await round(workers) })
            var size = tasks ?? max(256, 4 * workers)
            if tasks == nil {
                // grow untimed rounds until one lasts 2 s (the dispatcher's cost per lease grows with the round)
                while size < sizeLimit {
                    let seconds = try await round(size).0.seconds
                    if seconds >= 2 { break }
                    size = min(sizeLimit, Int(Double(size) * min(8, max(1.25, 2.2 / seconds))))
                }
            }
            var rates: [Double] = [], seconds: [Double] = [], coordination: [Double] = [], leasesPerRound = 0
            for run in 0..<(warmup + runs) {
                let (outcome, leases) = try await round(size)
                leasesPerRound = leases
                if run >= warmup {
                    rates.append(Double(leases) / outcome.seconds)
                    seconds.append(outcome.seconds)
                    coordination.append(outcome.coordinationSeconds)
                }
                progress(ProgressReport(done: run + 1, total: warmup + runs, note: String(format: "%.0f leases/s", Double(leases) / outcome.seconds)))
            }
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
            var churned: LeaseChurnReport?
            if let churner, let audit {
                churned = try await churnRounds(churner, audit, size: size, warmup: warmup, runs: runs, perSecond: churn,
                                                round: round, median: median, progress: progress)
            }
            await runner.stopWorkers()
            await churner?.close()
            await stop(cluster, standIns)
            let rate = median(rates)
            return Result(security: security, workers: workers, rollout_workers: roles.filter { $0 == .rollout }.count,
                          reward_workers: roles.filter { $0 == .reward }.count,
                          reference_workers: roles.filter { $0 == .reference }.count, tasks: size, leases_per_round: leasesPerRound,
                          leases_per_s: rate, min_leases_per_s: rates.min()!, max_leases_per_s: rates.max()!, rates: rates,
                          round_trips_per_s: rate, messages_per_s: 2 * rate, round_s: median(seconds),
                          coordination_s: median(coordination), target_leases_per_s: target, meets_target: rate >= target,
                          churn: churned)
        } catch {
            await churner?.close()
            await stop(cluster, standIns)
            throw error
        }
    }

    /// Rounds of `size` tasks while `churner` churns: `warmup` untimed, `runs` timed (3 leases a task over
    /// the round's seconds), then small rounds until every leave and join has finished.
    private static func churnRounds(_ churner: LeaseChurn, _ audit: DepartureAudit, size: Int, warmup: Int, runs: Int,
                                    perSecond: Int, round: (Int) async throws -> (RoundOutcome, leases: Int),
                                    median: ([Double]) -> Double,
                                    progress: (ProgressReport) -> Void) async throws -> LeaseChurnReport {
        await churner.startChurn()
        try await Task.sleep(for: .seconds(1))
        var rates: [Double] = [], seconds: [Double] = [], reissued = 0, rounds = 0
        for run in 0..<(warmup + runs) {
            let (outcome, leases) = try await round(size)
            rounds += 1
            reissued += leases - 3 * size
            let rate = Double(3 * size) / outcome.seconds
            if run >= warmup {
                rates.append(rate)
                seconds.append(outcome.seconds)
            }
            progress(ProgressReport(done: run + 1, total: warmup + runs, note: String(format: "%.0f leases/s, churn %d/s", rate, perSecond)))
        }
        await churner.stopChurn()
        // drained leavers get STOP while rounds run: small rounds until every leave and join is done
        let start = ContinuousClock.now
        while !(await churner.isSettled) {
            guard ContinuousClock.now - start < .seconds(roundLimit) else { throw TransportBenchError.churnUnsettled }
            let (_, leases) = try await round(64)
            reissued += leases - 3 * 64
            rounds += 1
        }
        let summary = await churner.result, counts = audit.counts
        let rate = median(rates)
        return LeaseChurnReport(churn_per_s: perSecond, leases_per_s: rate, min_leases_per_s: rates.min()!,
                                max_leases_per_s: rates.max()!, rates: rates, round_s: median(seconds), reissued_leases: reissued,
                                joined: summary.joined, left_draining: summary.leftDraining,
                                left_disconnecting: summary.leftDisconnecting,
                                registered_min: summary.registeredMin == .max ? 0 : summary.registeredMin,
                                registered_max: summary.registeredMax, join_failures: summary.joinFailures,
                                leases_to_departed: counts.leasesToDeparted, leases_after_left: summary.counts.afterLeft,
                                leases_while_draining: summary.counts.whileDraining, never_stopped: summary.counts.neverStopped,
                                rounds: rounds, meets_target: rate >= target)
    }

    /// Runs small untimed rounds until the runner knows every stand-in (it learns of them from their
    /// hellos, which it reads only while a round runs).
    private static func waitForHellos(_ runner: RoundRunner, _ cluster: BenchCluster,
                                      round: () async throws -> Void) async throws {
        let start = ContinuousClock.now
        while true {
            try await round()
            var missing: (WorkerRole, Int, Int)?
            for role in WorkerRole.allCases {
                let expected = cluster.roles.filter { $0 == role }.count, got = await runner.workerCount(role)
                if got != expected { missing = (role, expected, got) }
            }
            guard let (role, expected, got) = missing else { return }
            if ContinuousClock.now - start > .seconds(30) {
                throw TransportBenchError.workersMissing(role: role.rawValue, expected: expected, got: got)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private static func stop(_ cluster: BenchCluster, _ standIns: [Task<Void, Never>]) async {
        await cluster.close()
        for task in standIns { await task.value }
    }
}
