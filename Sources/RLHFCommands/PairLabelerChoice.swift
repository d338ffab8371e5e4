import ArgumentParser
import Datasets
import Foundation
import ModelIO
import Trainers
import Training

/// `rlhf pairs --labeler`: `vader`, `heuristic`, `reward:DIR` or `none`, and how each is loaded.
enum PairLabelerChoice: Equatable {
    case vader
    case heuristic
    /// A reward-model folder (a sequence classifier with its tokenizer).
    case reward(String)
    case none

    /// What `--labeler` accepts, for messages.
    static let spellings = "vader, heuristic, reward:DIR or none"

    /// Parses a `--labeler` value; anything else is a `ValidationError` naming it.
    init(parsing value: String) throws {
        switch value {
        case "vader": self = .vader
        case "heuristic": self = .heuristic
        case "none": self = .none
        default:
            guard value.hasPrefix("reward:") else {
                throw ValidationError("unknown --labeler '\(value)': expected \(Self.spellings)")
            }
            let folder = String(value.dropFirst("reward:".count))
            guard !folder.isEmpty else { throw ValidationError("--labeler reward: needs a folder, as in reward:DIR") }
            self = .reward(folder)
        }
    }

    /// The input paths this labeler reads (so the output never replaces them).
    func inputs(vaderDirectory: String) -> [InputPath] {
        switch self {
        case .vader: [InputPath("--vader-lexicon", vaderDirectory)]
        case .reward(let folder): [InputPath("--labeler reward:", folder)]
        case .heuristic, .none: []
        }
    }

    /// The labeler, its lexicon or reward model loaded: VADER from `vaderDirectory`; a reward model scoring
    /// each `prompt + response` as `rlhf reward train --format pairs` scores a pair's sides (the
    /// tokenizer's special tokens around the text, cut from the left to the model's positions).
    func load(vaderDirectory: String) throws -> PairLabeler {
        switch self {
        case .heuristic: return .heuristic
        case .none: return .none
        case .vader:
            do { return .vader(try VaderSentiment(lexiconDirectory: URL(fileURLWithPath: vaderDirectory))) } catch {
                throw PairLabelerLoadError.unusable(labeler: "vader", reason: "\(error)")
            }
        case .reward(let folder):
            let reward: RewardModel
            do { reward = try RewardModel.load(path: folder, tokenizerPath: nil, needsTokenizer: true) } catch CommandInputError.noTokenizer {
                throw PairLabelerLoadError.noTokenizer(folder: folder)
            } catch {
                throw PairLabelerLoadError.unusable(labeler: "reward:\(folder)", reason: "\(error)")
            }
            guard let tokenizer = reward.tokenizer else { throw PairLabelerLoadError.noTokenizer(folder: folder) }
            let special = tokenizer.defaultSpecialTokens, maxLength = reward.classifier.config.maxPositions
            return .reward(name: "reward:\(folder)") { texts in
                let rows = texts.map {
                    RewardRow(plain: tokenizer.encode($0, addSpecialTokens: false), prefix: special.prefix,
                              suffix: special.suffix, maxLength: maxLength).ids
                }
                return try RewardBatches.rewards(reward.classifier, rows: rows, masks: nil).map(Double.init)
            }
        }
    }
}

/// Why `--labeler`'s lexicon or reward model could not be loaded, naming the flag.
enum PairLabelerLoadError: Error, CustomStringConvertible, Equatable {
    /// The lexicon or model failed to load (`reason` is the loader's own message).
    case unusable(labeler: String, reason: String)
    /// The reward-model folder holds no tokenizer to turn prompt + response into its tokens.
    case noTokenizer(folder: String)

    var description: String {
        switch self {
        case let .unusable(labeler, reason):
            "--labeler \(labeler): \(reason)"
        case .noTokenizer(let folder):
            "--labeler reward:\(folder): the folder has no tokenizer (tokenizer.json, vocab.json or vocab.txt); save the reward model with its tokenizer"
        }
    }
}
