import ArgumentParser
import Benchmarks
import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Models
import Launch
import PPO
import ZeroMQ

/// `rlhf bench transport`: the cluster's ZeroMQ transport on loopback tcp, with the real transports
/// (`ZMQLearnerTransport`, `ZMQWorkerTransport`, `RoundRunner`) in this process: weights to
/// `--generators` generators (in chunks, as to other hosts, and through the learner's shared-memory file,
/// as to generators on its host), the codec's time per message, and leases per second to `--workers`
/// stand-in workers; plain tcp and CurveZMQ (`--security`). Each prints a line, or with `--json` one JSON
/// line per measurement. `--churn N` measures leases only, without churn and then with N stand-ins leaving
/// and N joining every second, side by side on one line.
struct BenchTransportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "transport", abstract: "Time the cluster's ZeroMQ transport on loopback.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Generators the weights go to.")
    var generators = 4

    @Option(help: "Floats of the weights sent (default: --model's parameters, in its layout).")
    var floats: Int?

    @Option(help: "Send a LoRA adapter of this rank on --model's default targets (what a LoRA run publishes), and time a generator's merge of it.")
    var loraRank: Int?

    @Option(help: "Stand-in workers the leases go to (half rollout, a quarter reward, the rest reference).")
    var workers = 64

    @Option(help: "Tasks per lease round, 3 leases each (default: grown until a round lasts 2 s).")
    var tasks: Int?

    @Option(help: "Measure leases only, without churn and then while this many stand-ins leave and as many join every second (0: no churn).")
    var churn = 0

    @Option(help: "Seconds of the flood measurement (a peer sending 64 MiB frames while honest peers probe the learner); 0 skips it.")
    var floodSeconds = 10.0

    @Option(name: .customLong("security"), help: "Measure plain tcp, CurveZMQ or both.")
    var securities: BenchSecurityChoice = .both

    @Flag(help: "Log the transports' info lines to standard error.")
    var verbose = false

    @Option(help: "With --generator-host: the address the learner binds (its host's address on the hosts' network).")
    var learnerAddress = "127.0.0.1"

    @Option(name: .customLong("generator-host"),
            help: "Measure weights only, to generators that are processes started through this command (`ip netns exec h1`, `ssh h1`), by turns; repeat for more hosts.")
    var generatorHosts: [String] = []

    /// Sizes the machine can hold and the bench can run.
    func validate() throws {
        guard (1...64).contains(generators) else { throw ValidationError("--generators must be between 1 and 64") }
        guard (3...1024).contains(workers) else {
            throw ValidationError("--workers must be between 3 and 1024 (one of each role at least)")
        }
        if let tasks, !(1...200_000).contains(tasks) { throw ValidationError("--tasks must be between 1 and 200000") }
        if let floats, floats < 1 { throw ValidationError("--floats must be at least 1") }
        if let loraRank, !(1...4096).contains(loraRank) { throw ValidationError("--lora-rank must be between 1 and 4096") }
        if loraRank != nil && floats != nil { throw ValidationError("give --lora-rank or --floats, not both") }
        guard (0...1000).contains(churn) else { throw ValidationError("--churn must be between 0 and 1000 stand-ins a second") }
        guard churn == 0 || churn < workers / 3 else {
            throw ValidationError("--churn must be below a third of --workers (\(workers)), so every role keeps workers")
        }
        guard floodSeconds.isFinite, (0...3600).contains(floodSeconds) else { throw ValidationError("--flood-seconds must be between 0 and 3600") }
        guard generatorHosts.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { throw ValidationError("--generator-host needs a command") }
        guard !learnerAddress.isEmpty, (try? Endpoint(parsing: "tcp://\(learnerAddress.contains(":") ? "[\(learnerAddress)]" : learnerAddress):0", binding: true)) != nil else {
            throw ValidationError("--learner-address '\(learnerAddress.prefix(60))' is not a host address")
        }
        let perCopy = floats ?? ParameterLayout.specs(for: options.model.config).reduce(0) { $0 + $1.1.reduce(1, *) }
        // the learner's values, a buffer per generator assembling, and a copy in flight
        let (total, overflow) = perCopy.multipliedReportingOverflow(by: generators + 2)
        do {
            try ModelWorkLimits.require(overflow ? nil : total, for: "\(perCopy) floats to \(generators) generators")
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        try options.compute.apply()
        var logger = Logger(label: "rlhf.bench.transport")
        logger.logLevel = verbose ? .info : .error
        let (warmup, runs) = (options.warmup, options.runs)
        if churn > 0 { return try await leases(warmup: warmup, runs: runs, logger: logger) }
        let policy = try BenchPolicy(model: options.model, floats: floats, loraRank: loraRank)
        if let loraRank { try reportMerge(rank: loraRank) }
        if !generatorHosts.isEmpty { return try await acrossHosts(policy, logger: logger) }
        for security in securities.modes {
            for sharedMemory in [false, true] {
                let path = sharedMemory ? "shared memory" : "chunks"
                let progress = ProgressLine(label: "bench transport weights \(security) \(path) to \(generators)", total: warmup + runs)
                let result = try await WeightBroadcastBench.measure(policy, security: security, generators: generators, sharedMemory: sharedMemory,
                                                                    warmup: warmup, runs: runs, logger: logger, progress: progress.reporter)
                progress.finish()
                try report(result, String(format: "weights %@ (%@) to %d generators: %@ (%.1f MB each), median %.3f s (%.3f-%.3f), "
                                          + "%.2f GB/s in all, %.2f GB/s per generator, first send %.3f s",
                                          "\(security)", result.path, generators, policy.name, Double(policy.bytes) / 1e6, result.median_s,
                                          result.min_s, result.max_s, result.gbps_all, result.gbps_per_generator, result.first_send_s))
            }
        }
        let manifest = WeightStreamSource(policy.publish(version: 1)).manifest
        for result in try WireCodecBench.measure(manifest: manifest) {
            try report(result, String(format: "codec %@ (%@, %d bytes): encode %.1f µs, decode %.1f µs",
                                      result.message, result.shape, result.bytes, result.encode_us, result.decode_us))
        }
        for security in securities.modes {
            let progress = ProgressLine(label: "bench transport leases \(security), \(workers) workers", total: warmup + runs)
            let result = try await LeaseRateBench.measure(security: security, workers: workers, tasks: tasks, warmup: warmup,
                                                          runs: runs, logger: logger, progress: progress.reporter)
            progress.finish()
            try report(result, String(format: "leases %@, %d workers (%d rollout, %d reward, %d reference), %d tasks a round: "
                                      + "median %.0f leases/s (%.0f-%.0f), %.3f s a round (coordination %.3f s); "
                                      + "the %.0f leases/s target is %@",
                                      "\(security)", workers, result.rollout_workers, result.reward_workers,
                                      result.reference_workers, result.tasks, result.leases_per_s, result.min_leases_per_s,
                                      result.max_leases_per_s, result.round_s, result.coordination_s, result.target_leases_per_s,
                                      result.meets_target ? "met" : "NOT met"))
        }
        guard floodSeconds > 0 else { return }
        for security in securities.modes {
            let progress = ProgressLine(label: "bench transport flood \(security)", total: Int(floodSeconds.rounded(.up)))
            let result = try await FloodBench.measure(security: security, seconds: floodSeconds, logger: logger, progress: progress.reporter)
            progress.finish()
            // a figure with nothing to measure prints as "-"
            func figure(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
            try report(result, String(format: "flood %@, a peer sending %d MiB frames (%d in %.1f s, %.2f GB/s; refused: %@): "
                                      + "round trips of %d honest peers median %@ ms (%@ ms before the flood), 99th %@ ms, "
                                      + "highest %@ ms over %d; longest heartbeat gap %@ s; under 1 s: %@",
                                      "\(security)", result.frame_bytes / (1 << 20), result.frames_sent, result.seconds, result.flood_gb_per_s,
                                      result.refused.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }.joined(separator: ", "),
                                      result.honest, figure(result.rtt_median_ms, "%.1f"), figure(result.quiet_rtt_median_ms, "%.1f"),
                                      figure(result.rtt_p99_ms, "%.1f"), figure(result.rtt_max_ms, "%.1f"),
                                      result.round_trips, figure(result.heartbeat_gap_max_s, "%.2f"), result.under_1_s ? "yes" : "NO"))
        }
    }

    /// `--churn`: the lease measurement only, each security's rounds without and with churn on one line.
    private func leases(warmup: Int, runs: Int, logger: Logger) async throws {
        for security in securities.modes {
            let progress = ProgressLine(label: "bench transport leases \(security), \(workers) workers, churn \(churn)/s",
                                        total: 2 * (warmup + runs))
            let result = try await LeaseRateBench.measure(security: security, workers: workers, tasks: tasks, warmup: warmup, runs: runs,
                                                          churn: churn, logger: logger, progress: progress.reporter)
            progress.finish()
            guard let churned = result.churn else { continue }
            try report(result, String(format: "leases %@, %d workers, %d tasks a round: median %.0f leases/s (%.0f-%.0f) without churn, "
                                      + "%.0f leases/s (%.0f-%.0f) with %d leaving and %d joining a second (%d joined, %d drained, "
                                      + "%d disconnected, %d-%d registered, %d leases issued again); leases to departed workers: "
                                      + "%d sent, %d received after STOP; the %.0f leases/s target under churn is %@",
                                      "\(security)", workers, result.tasks, result.leases_per_s, result.min_leases_per_s,
                                      result.max_leases_per_s, churned.leases_per_s, churned.min_leases_per_s, churned.max_leases_per_s,
                                      churn, churn, churned.joined, churned.left_draining, churned.left_disconnecting,
                                      churned.registered_min, churned.registered_max, churned.reissued_leases,
                                      churned.leases_to_departed, churned.leases_after_left, result.target_leases_per_s,
                                      churned.meets_target ? "met" : "NOT met"))
        }
    }

    /// Prints `result` as a JSON line with `--json`, else `line`.
    private func report<Result: Encodable>(_ result: Result, _ line: String) throws {
        try StandardOutput.line(options.json ? try JSONOutput.line(WithInstructionSet(result)) : "transport " + line)
    }

    /// Weights to generator processes started through `--generator-host` commands, for each security.
    private func acrossHosts(_ policy: BenchPolicy, logger: Logger) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        // with CurveZMQ, both roads: chunks sealed once, and chunks over each generator's CurveZMQ connection
        for (security, sealed) in securities.modes.flatMap({ $0 == .curve ? [($0, true), ($0, false)] : [($0, false)] }) {
            let progress = ProgressLine(label: "bench transport weights \(security) to \(generators) generators on \(generatorHosts.count) hosts",
                                        total: options.warmup + options.runs)
            let result = try await RemoteWeightBroadcastBench.measure(
                policy, model: options.model, floats: floats, loraRank: loraRank, security: security, sealed: sealed, generators: generators, learnerAddress: learnerAddress,
                hosts: generatorHosts, warmup: options.warmup, runs: options.runs, logger: logger,
                spawn: { prefix, arguments in
                    // the stand-in's errors (and the host command's) go to this standard error
                    try StandInChild(ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "\(prefix) \(ShellWords.join([binary] + arguments))"],
                                                  errors: { data in if let data { FileHandle.standardError.write(data) } }))
                },
                progress: progress.reporter)
            progress.finish()
            try report(result, String(format: "weights %@ (%@) to %d generators on %d hosts: %@ (%.1f MB each), median %.3f s (%.3f-%.3f), "
                                      + "%.2f GB/s in all, %.2f GB/s per generator, first send %.3f s",
                                      "\(security)", result.path, generators, generatorHosts.count, policy.name, Double(policy.bytes) / 1e6,
                                      result.median_s, result.min_s, result.max_s, result.gbps_all, result.gbps_per_generator, result.first_send_s))
        }
    }
}

extension BenchTransportCommand {
    /// A generator's install of one LoRA adapter version of rank `rank` (its adapted rows restored from the
    /// base, then the adapter merged in: `AdapterInstall`), median of the runs.
    func reportMerge(rank: Int) throws {
        let result = try AdapterMergeBench.measure(model: options.model, rank: rank, warmup: options.warmup, runs: options.runs)
        try report(result, String(format: "merge of a LoRA r%d adapter (%.2f MB) into %@ on a generator: median %.4f s (%.4f-%.4f)",
                                  rank, Double(result.adapter_bytes) / 1e6, options.model.rawValue, result.median_s, result.min_s, result.max_s))
    }
}

/// A stand-in generator process, as the bench stops it.
private struct StandInChild: StandInProcess {
    let child: ChildProcess
    init(_ child: ChildProcess) { self.child = child }
    func terminate() { Glibc.kill(child.processIdentifier, SIGTERM) }
    func wait(seconds: Double) -> Bool { child.wait(seconds: seconds) }
    func kill() { Glibc.kill(child.processIdentifier, SIGKILL) }
    var exitStatus: Int32? { child.isRunning ? nil : child.terminationStatus }
}
