import ArgumentParser
import Foundation

/// `rlhf`: the root of the command tree; one file per subcommand.
public struct RLHFCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rlhf",
        abstract: "Reinforcement learning from human feedback: SFT, reward models, PPO and DPO.",
        version: "0.1.0",
        subcommands: [ScoreCommand.self, TokenizeCommand.self, GenerateCommand.self, ConvertCommand.self,
                      BenchCommand.self])

    public init() {}

    /// Parses the command line and runs the chosen subcommand. Any error on bad input prints one line
    /// (`error: ...`) to standard error and exits with status 2; `--help` and `--version` exit 0.
    public static func runMain(arguments: [String]? = nil) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = fullMessage(for: error)
                .split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("error: \(message.replacingOccurrences(of: "Error: ", with: ""))\n".utf8))
            Foundation.exit(2)
        }
    }
}
