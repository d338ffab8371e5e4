@testable import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `PolicySummary`, `RunCurves` and `EvaluationReport` against hand-worked values and hostile text.
final class EvaluationReportTests: XCTestCase {
    private func response(_ reward: Double, _ text: String = "good film", eos: Bool = true, tokens: Int = 3, kl: Double? = 0.5,
                          prompt: String = "The movie") -> EvaluatedResponse {
        EvaluatedResponse(prompt: prompt, response: text, tokens: tokens, endedWithEOS: eos, reward: reward, kl: kl,
                          sentiment: reward / 10, harmlessness: nil)
    }

    func testSummaryMatchesHandWorkedValues() throws {
        // rewards 1, 2, 3, 6: mean 3; sample variance (4 + 1 + 0 + 9) / 3 = 14/3; standard error √(14/3 / 4) = 1.0801
        let rows = [response(1, "a b", eos: true, tokens: 2), response(2, "a b", eos: false, tokens: 4),
                    response(3, "c", eos: true, tokens: 6), response(6, "a c", eos: false, tokens: 8, kl: 1.5)]
        let s = try XCTUnwrap(PolicySummary(policy: "p", path: "/m", responses: rows, bins: 5, range: 1...6))
        XCTAssertEqual(s.count, 4)
        XCTAssertEqual(s.rewardMean, 3, accuracy: 1e-12)
        XCTAssertEqual(s.rewardStderr, (14.0 / 3 / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.rewardStd, (14.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.klMean ?? .nan, 0.75, accuracy: 1e-12)  // (0.5·3 + 1.5) / 4
        XCTAssertEqual(s.sentimentMean, 0.3, accuracy: 1e-12)
        XCTAssertNil(s.harmlessnessMean)
        XCTAssertEqual(s.lengthMean, 5, accuracy: 1e-12)
        XCTAssertEqual(s.eosShare, 0.5)
        // words: a b | a b | c | a c → unigrams 7, distinct {a, b, c} = 3; bigrams "a b" "a b" "a c" → 2 of 3
        XCTAssertEqual(s.distinct1, 3.0 / 7, accuracy: 1e-12)
        XCTAssertEqual(s.distinct2, 2.0 / 3, accuracy: 1e-12)
        // bins of width 1 over [1, 6]: 1 → 0, 2 → 1, 3 → 2, 6 → the last
        XCTAssertEqual(s.rewardHistogram.counts, [1, 1, 1, 0, 1])
        XCTAssertNil(PolicySummary(policy: "p", path: "/m", responses: [response(.nan)], bins: 5, range: 0...1), "a NaN reward has no summary")
        XCTAssertNil(PolicySummary(policy: "p", path: "/m", responses: [], bins: 5, range: 0...1))
    }

    func testGainsAreOverTheFirstPolicyWithCombinedStandardErrors() throws {
        let base = try XCTUnwrap(PolicySummary(policy: "base", path: "/a", responses: [response(0), response(2)], bins: 2, range: 0...4))
        let tuned = try XCTUnwrap(PolicySummary(policy: "ppo", path: "/b", responses: [response(2), response(4)], bins: 2, range: 0...4))
        let gained = PolicySummary.withGains([base, tuned])
        XCTAssertNil(gained[0].rewardGain)
        XCTAssertEqual(gained[1].rewardGain, 2)
        // each standard error is √(2/2) = 1, so the difference's is √2
        XCTAssertEqual(gained[1].rewardGainStderr ?? .nan, 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(gained[1].gainText, "+2.000 (1.4 SE)")
        XCTAssertEqual(PolicySummary.sharedRange([3, -1, .nan, 2]), -1...3)
        XCTAssertEqual(PolicySummary.sharedRange([2, 2]), 1.5...2.5)
    }

    func testEvalJSONHasTheFieldsScriptsRead() throws {
        let s = try XCTUnwrap(PolicySummary(policy: "p", path: "/m", responses: [response(1), response(2)], bins: 2, range: 1...2))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as? [String: Any])
        for key in ["policy", "reward_mean", "reward_stderr", "kl_mean", "sentiment_mean", "distinct_1", "distinct_2", "length_mean",
                    "eos_share", "reward_histogram"] {
            XCTAssertNotNil(object[key], key)
        }
    }

    func testRunCurvesReadMetricsAndRefuseMalformedLines() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-curves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let metrics = folder.appendingPathComponent("metrics.jsonl")
        try """
        {"iteration":0,"env/reward_mean":0.1,"objective/kl":0.0,"objective/kl_target":6,"time/generate":1}
        {"iteration":1,"env/reward_mean":0.3,"objective/kl":1.5,"objective/kl_target":6,"ppo/loss/value":"x"}
        {"iteration":2,"eval/reward_mean":0.4}

        """.write(to: metrics, atomically: true, encoding: .utf8)
        let curves = try RunCurves.read(run: folder.path)
        XCTAssertEqual(curves.name, folder.lastPathComponent)
        let rewards = try XCTUnwrap(curves.series["env/reward_mean"])
        XCTAssertEqual(rewards.map(\.x), [0, 1])
        XCTAssertEqual(rewards.map(\.y), [0.1, 0.3])
        XCTAssertEqual(curves.series["eval/reward_mean"]?.count, 1)
        XCTAssertNil(curves.series["time/generate"], "only the plotted metrics are kept")
        XCTAssertNil(curves.series["ppo/loss/value"], "a value that is not a number is left out")
        XCTAssertEqual(curves.klTarget, 6)

        try "{\"iteration\":0,\"env/reward_mean\":0.1}\n[1, 2]\n".write(to: metrics, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunCurves.read(run: folder.path)) { error in
            XCTAssertEqual("\(error)", "\(metrics.path):2: expected a JSON object with a numeric \"iteration\"")
        }
        try FileManager.default.removeItem(at: metrics)
        XCTAssertThrowsError(try RunCurves.read(run: folder.path)) { XCTAssertTrue("\($0)".hasPrefix(metrics.path), "\($0)") }
    }

    func testReportEscapesEveryModelTextAndFetchesNothing() throws {
        let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> & \"quotes\""
        let rows = [response(0.5, hostile, prompt: hostile), response(1.5)]
        let a = try XCTUnwrap(PolicySummary(policy: hostile, path: hostile, responses: rows, bins: 4, range: 0...2))
        let b = try XCTUnwrap(PolicySummary(policy: "ppo", path: "/b", responses: rows, bins: 4, range: 0...2))
        var curves = RunCurves(name: hostile, series: ["env/reward_mean": [(0, 1), (1, 2), (2, 3)], "objective/kl": [(0, 0), (1, 1)],
                                                       "objective/kl_target": [(0, 6)]])
        curves.name = hostile
        let setting = EvaluationReport.Setting(prompts: hostile, sampling: "t", reward: "r", harmlessness: "h", reference: "x", date: "d")
        let html = EvaluationReport(setting: setting, summaries: PolicySummary.withGains([a, b]), responses: [rows, rows], runs: [curves],
                                    samples: 10).html
        for forbidden in ["<script", "<img", "<link", "@import", "url(", "http://", "https://"] {
            let allowed = forbidden == "http://" ? html.replacingOccurrences(of: "http://www.w3.org/", with: "") : html
            XCTAssertFalse(allowed.contains(forbidden), "the page holds \(forbidden)")
        }
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the text shows, escaped")
        // the page is well-formed XML: its elements, counted
        final class Names: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) { names.append(qualifiedName ?? name) }
        }
        let parser = XMLParser(data: Data(html.utf8))
        let names = Names()
        parser.delegate = names
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertEqual(names.names.filter { $0 == "svg" }.count, 3, "the histogram, the reward curve and the KL curve")
        XCTAssertEqual(names.names.filter { $0 == "rect" }.count, 8, "4 bins for each of 2 policies")
        XCTAssertEqual(names.names.filter { $0 == "circle" }.count, 5, "3 reward points and 2 KL points")
        XCTAssertEqual(names.names.filter { $0 == "line" }.count, 3 * 2 + 1, "two axes per chart and the KL target")
        XCTAssertEqual(names.names.filter { $0 == "tr" }.count, 1 + 2 + 1 + 2, "summary header + 2 policies, samples header + 2 prompts")
    }
}
