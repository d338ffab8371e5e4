import ArgumentParser
import Foundation
import PPO

/// `rlhf`: the root of the command tree; one file per subcommand.
package struct RLHFCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "rlhf",
        abstract: "Reinforcement learning from human feedback: SFT, reward models, PPO and DPO.",
        version: "0.1.0",
        subcommands: [ScoreCommand.self, TokenizeCommand.self, GenerateCommand.self, ConvertCommand.self, PPOCommand.self, LearnerCommand.self, WorkerCommand.self, LaunchCommand.self,
                      StatusCommand.self, CheckpointCommand.self, StopCommand.self, DrainCommand.self, ScaleCommand.self, KeysCommand.self, MonitorCommand.self,
                      RewardCommand.self, EvalCommand.self, LabelCommand.self, PairsCommand.self, SFTCommand.self, DPOCommand.self, LoRACommand.self, BenchCommand.self, DevicesCommand.self, CheckGPUCommand.self])

    package init() {}

    /// Parses the command line and runs the chosen subcommand. Any error on bad input prints one line
    /// (`error: ...`, control characters escaped) to standard error and exits with status 2; `--help` and
    /// `--version` exit 0; no subcommand (of the root or of a group such as `reward`) prints that command's
    /// help and exits 2. A cluster worker that lost its run (`ClusterWorkerError`), or a learner that lost a role (`ClusterRunError`), exits 3. SIGPIPE is ignored, so a closed output pipe is a write error (status 2), never a
    /// silent kill.
    package static func runMain(arguments: [String]? = nil) async -> Never {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot(try RepeatedOptions.pack(arguments ?? Array(CommandLine.arguments.dropFirst())))
            let chosen = type(of: command)
            if !chosen.configuration.subcommands.isEmpty {  // the root or a group (`reward`) with no subcommand
                FileHandle.standardError.write(Data((helpMessage(for: chosen) + "\n").utf8))
                Foundation.exit(2)
            }
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data("error: \(oneLineMessage(for: error))\n".utf8))
            // a worker that ran and then lost its run ends with 3; bad input with 2
            Foundation.exit((error as? ClusterWorkerError)?.exitStatus ?? (error as? ClusterRunError)?.exitStatus ?? 2)
        }
    }

    /// The message `runMain` prints for `error`, on one line: the error's own text with control characters
    /// escaped (a newline in a path stays visible and the path whole), without ArgumentParser's usage lines.
    package static func oneLineMessage(for error: Error) -> String {
        var message = message(for: error)
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        // ArgumentParser appends "\nHelp: ..." / "\nUsage: ..." to some messages: keep the first part
        for marker in ["\nHelp:", "\nUsage:", "\n  See '"] {
            if let range = message.range(of: marker) { message = String(message[..<range.lowerBound]) }
        }
        return MessageEscaping.oneLine(message.trimmingCharacters(in: .newlines))
    }
}
