import ArgumentParser
import Datasets

/// What `rlhf reward train|eval --format` reads: preference pairs (`hh`, `dexperts`, `pairs`), trained
/// with the Bradley-Terry loss, or IMDb's labelled reviews (`imdb`), trained with binary cross-entropy.
enum RewardDataFormat: String, CaseIterable, ExpressibleByArgument {
    case hh, dexperts, pairs, imdb

    /// The preference format, for the pair formats.
    var preferenceFormat: PreferenceFormat? { PreferenceFormat(rawValue: rawValue) }
}
