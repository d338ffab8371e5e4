import ArgumentParser
import Foundation
import Labeling

/// `rlhf label export`: the judgements in a labeling database as preference pairs, by majority vote (ties
/// and tied votes dropped), in the generic pairs format `rlhf reward train` and `rlhf dpo` read; prints the
/// pair and annotator counts and the annotators' agreement.
struct LabelExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export labeled pairs by majority vote (JSON Lines: prompt, chosen, rejected) and report agreement.")

    @Option(help: ArgumentHelp("The labeling database (rlhf label serve's --db).", valueName: "file.sqlite"))
    var db: String

    @Option(help: ArgumentHelp("The pairs file written (JSON Lines).", valueName: "pairs.jsonl"))
    var output: String

    @Flag(help: "Print the counts and the agreement as one JSON line.")
    var json = false

    func run() async throws {
        let file = try OutputFile(path: output, flag: "--output", protecting: [InputPath("--db", db)])
        let (pairs, judgements): ([LabelPair], [Judgement])
        do {
            let database = try LabelDatabase(path: db, create: false)
            (pairs, judgements) = (try database.allPairs(), try database.standingJudgements())
        } catch { throw CommandInputError.flags("--db: \(error)") }
        let byID = Dictionary(uniqueKeysWithValues: pairs.map { ($0.id, $0) })
        let outcomes = MajorityVote.outcomes(judgements)
        struct Line: Encodable {
            let prompt: String, chosen: String, rejected: String
            let votes_chosen: Int, votes_rejected: Int, votes_tie: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = "", exported = 0
        for outcome in outcomes {
            guard let winner = outcome.winner, let pair = byID[outcome.pair] else { continue }
            let aWins = winner == .a
            let line = Line(prompt: pair.prompt, chosen: aWins ? pair.responseA : pair.responseB, rejected: aWins ? pair.responseB : pair.responseA,
                            votes_chosen: aWins ? outcome.a : outcome.b, votes_rejected: aWins ? outcome.b : outcome.a, votes_tie: outcome.tie)
            text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
            exported += 1
        }
        try file.write(text)
        let annotators = Set(judgements.map(\.annotator)).count
        let kappa = Agreement.kappa(judgements)
        if json {
            struct Summary: Encodable {
                let pairs: Int, voted: Int, exported: Int, dropped: Int, judgements: Int, annotators: Int
                let kappa: Double?, kappa_method: String?, kappa_pairs: Int
            }
            try StandardOutput.line(try JSONOutput.line(Summary(
                pairs: pairs.count, voted: outcomes.count, exported: exported, dropped: outcomes.count - exported,
                judgements: judgements.count, annotators: annotators, kappa: kappa?.value, kappa_method: kappa?.method, kappa_pairs: kappa?.pairs ?? 0)))
            return
        }
        var agreement = "agreement: not measured (it needs two annotators with pairs in common)"
        if let kappa {
            let name = kappa.method == "cohen" ? "Cohen's kappa" : "Fleiss' kappa"
            agreement = "agreement: \(name) " + (kappa.value.map { String(format: "%.3f", $0) } ?? "undefined (every judgement in one category)")
                + " over the \(kappa.pairs) pairs \(kappa.method == "cohen" ? "both" : "all \(annotators)") judged"
        }
        try StandardOutput.line("exported \(exported) of \(pairs.count) pairs to \(output) (\(outcomes.count - exported) dropped as ties or tied votes, "
            + "\(pairs.count - outcomes.count) without a vote); \(judgements.count) judgements by \(annotators) annotators; \(agreement)")
    }
}
