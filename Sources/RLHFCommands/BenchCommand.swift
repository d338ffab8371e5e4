import ArgumentParser

/// `rlhf bench`: times a workload on a random-weight model, or the cluster's ZeroMQ transport; one
/// subcommand per workload.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark a workload on a model built from its config with random weights.",
        discussion: "Prints the median of several timed runs after warm-up; --json prints one JSON line.",
        subcommands: [BenchTrainCommand.self, BenchForwardCommand.self, BenchGenerateCommand.self, BenchDPOCommand.self,
                      BenchProductsCommand.self, BenchPPOCommand.self, BenchTransportCommand.self, BenchStandInCommand.self])
}
