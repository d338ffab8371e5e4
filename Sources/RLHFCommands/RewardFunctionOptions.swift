import ArgumentParser
import Datasets
import Foundation
import PPO

/// Rewards computed by a function of the text instead of a reward model.
enum RewardFunction: String, ExpressibleByArgument, CaseIterable {
    /// VADER sentiment's compound score, in [-1, 1] (vaderSentiment 3.3.2).
    case vader
}

/// Options choosing a reward function (`--function`) and where its data lives.
struct RewardFunctionOptions: ParsableArguments {
    /// The environment variable that names the VADER lexicon folder when `--vader-lexicon` is not given.
    static let vaderEnvironmentVariable = "RLHF_VADER_DIR"
    /// The VADER lexicon folder when neither the flag nor the environment names one (`make models` fills it).
    static let defaultVaderDirectory = "models/vader"

    @Option(help: ArgumentHelp("Reward function instead of --model: \(RewardFunction.allCases.map(\.rawValue).joined(separator: ", ")) (VADER sentiment's compound score, in [-1, 1]).",
                               valueName: "name"))
    var function: RewardFunction?

    @Option(help: ArgumentHelp("Folder with vader_lexicon.txt and emoji_utf8_lexicon.txt for --function vader (default: $\(Self.vaderEnvironmentVariable), else \(Self.defaultVaderDirectory)).",
                               valueName: "dir"))
    var vaderLexicon: String?

    /// The VADER lexicon folder: `--vader-lexicon`, else `$RLHF_VADER_DIR`, else `models/vader`.
    var vaderDirectory: String { Self.vaderDirectory(flag: vaderLexicon) }

    /// The VADER lexicon folder a `--vader-lexicon` value of `flag` names: the flag's, else
    /// `$RLHF_VADER_DIR`, else `models/vader`.
    static func vaderDirectory(flag vaderLexicon: String?) -> String {
        if let vaderLexicon { return vaderLexicon }
        if let fromEnvironment = ProcessInfo.processInfo.environment[Self.vaderEnvironmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultVaderDirectory
    }

    func validate() throws {
        if vaderLexicon != nil && function != .vader { throw ValidationError("--vader-lexicon goes with --function vader") }
    }

    /// The reward of each text under `function`.
    func rewards(_ texts: [String], with function: RewardFunction) throws -> [Double] {
        switch function {
        case .vader:
            let analyzer = try VaderSentiment(lexiconDirectory: URL(fileURLWithPath: vaderDirectory))
            return texts.map { analyzer.scores($0).compound }
        }
    }
}

/// The JSON shape of `rlhf reward score --function ... --json`, one per input.
struct FunctionRewardResult: Encodable {
    let reward: Double
}
