import Foundation
import TestSupport
import XCTest

/// `rlhf eval` through the built binary: a stories260K PPO run against its starting model on held-out IMDb
/// openings with VADER as the reward, checked against invariants (the baseline is its own reference, so
/// its KL is exactly 0; with VADER the reward is the sentiment; the summary is the mean of the responses;
/// the same seeds give the same bytes), and its report rendered in headless Chromium.
final class EvalCommandTests: XCTestCase {
    private var binary: URL { RLHFBinary.url(besideBundleOf: Self.self) }
    private let stories = TestPaths.data("stories260K/stories260K.bin").path
    private let storiesTokenizer = TestPaths.data("stories260K/tok512.bin").path

    /// A PPO run of `iterations` on stories260K (the sentiment config, its final checkpoint saved).
    private func ppoRun(_ output: URL, iterations: Int) throws {
        let run = try RLHFBinary.run(binary, ["ppo", "--config", TestPaths.clusterConfig.path, "--output", output.path,
                                              "--set", "iterations=\(iterations)", "--set", "eval_every=\(iterations / 2)",
                                              "--set", "save_every=\(iterations)"], environment: TestPaths.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    private func evalArguments(_ run: URL, output: URL, extra: [String] = []) -> [String] {
        ["eval", "--policy", stories, "--tokenizer", storiesTokenizer, "--policy", run.path, "--name", "base", "--name", "ppo",
         "--prompts", TestPaths.data("imdb-test.jsonl.gz").path, "--prompt-format", "imdb", "--count", "40", "--batch-size", "8",
         "--reward", "vader", "--run", run.path, "--samples", "6", "--output", output.path] + extra
    }

    private func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testEvalComparesPoliciesAndItsReportRendersInChromium() throws {
        try TestPaths.requireVADER()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = root.appendingPathComponent("ppo"), output = root.appendingPathComponent("eval")
        try ppoRun(run, iterations: 12)

        let evaluated = try RLHFBinary.run(binary, evalArguments(run, output: output), environment: TestPaths.environment)
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
        let table = evaluated.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(table.first?.hasPrefix("policy  reward") == true, evaluated.stdout)
        XCTAssertTrue(table.contains { $0.hasPrefix("base ") && $0.contains("baseline") }, evaluated.stdout)
        XCTAssertTrue(table.contains { $0.hasPrefix("ppo ") && $0.contains(" SE)") }, evaluated.stdout)

        let summaries = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("eval.json"))) as? [[String: Any]])
        XCTAssertEqual(summaries.map { $0["policy"] as? String }, ["base", "ppo"])
        XCTAssertEqual(summaries[0]["kl_mean"] as? Double, 0, "the baseline is its own reference")
        XCTAssertGreaterThan(summaries[1]["kl_mean"] as? Double ?? 0, 0, "PPO moved the policy")
        let responses = try jsonLines(output.appendingPathComponent("responses.jsonl"))
        XCTAssertEqual(responses.count, 80)
        for (index, name) in ["base", "ppo"].enumerated() {
            let rows = responses.filter { $0["policy"] as? String == name }
            XCTAssertEqual(rows.count, 40)
            XCTAssertEqual(summaries[index]["count"] as? Int, 40)
            let rewards = rows.compactMap { $0["reward"] as? Double }
            XCTAssertEqual(summaries[index]["reward_mean"] as? Double ?? .nan, rewards.reduce(0, +) / 40, accuracy: 1e-9)
            for row in rows { XCTAssertEqual(row["reward"] as? Double ?? .nan, row["sentiment"] as? Double ?? .infinity, accuracy: 1e-6, "VADER is the reward") }
            let eos = Double(rows.filter { $0["ended_with_eos"] as? Bool == true }.count) / 40
            XCTAssertEqual(summaries[index]["eos_share"] as? Double ?? .nan, eos, accuracy: 1e-12)
            let histogram = try XCTUnwrap(summaries[index]["reward_histogram"] as? [String: Any])
            XCTAssertEqual((histogram["counts"] as? [Int])?.reduce(0, +), 40, "every reward is in the shared range")
        }
        XCTAssertEqual(Set(responses.filter { $0["policy"] as? String == "base" }.map { $0["prompt"] as? String ?? "" }),
                       Set(responses.filter { $0["policy"] as? String == "ppo" }.map { $0["prompt"] as? String ?? "" }), "the same prompts")

        // the same seeds, the same bytes
        let again = root.appendingPathComponent("again")
        XCTAssertEqual(try RLHFBinary.run(binary, evalArguments(run, output: again), environment: TestPaths.environment).status, 0)
        XCTAssertEqual(try Data(contentsOf: again.appendingPathComponent("responses.jsonl")),
                       try Data(contentsOf: output.appendingPathComponent("responses.jsonl")))

        // the report, as a person's browser shows it
        let metrics = try jsonLines(run.appendingPathComponent("metrics.jsonl"))
        let plotted = ["env/reward_mean", "eval/reward_mean", "objective/kl", "objective/entropy", "ppo/loss/value", "ppo/policy/clipfrac"]
        let points = plotted.reduce(0) { sum, key in sum + metrics.filter { $0[key] is NSNumber }.count }
        let browser = try WebDriver()
        defer { browser.quit() }
        let page = "file://" + output.appendingPathComponent("report.html").path
        _ = try browser.requestedURLs()
        try browser.open(page)
        XCTAssertEqual(try browser.elements("svg").count, 6, "the reward histogram and 5 training charts")
        XCTAssertEqual(try browser.elements("svg rect.bar").count, 2 * 20, "20 bins for each policy")
        XCTAssertEqual(try browser.elements("svg circle.point").count, points, "a point per metric value of the run")
        XCTAssertEqual(try browser.elements("svg line.reference").count, 1, "the KL target")
        XCTAssertEqual(try browser.elements("table.samples tbody tr").count, 6)
        XCTAssertTrue(try browser.text(of: "table.summary").contains("baseline"))
        XCTAssertEqual(try browser.consoleEntries().map(\.message), [], "no console errors or messages")
        XCTAssertEqual(Set(try browser.requestedURLs()), [page], "nothing fetched but the page")
        let artefacts = TestPaths.packageRoot.appendingPathComponent("test-artifacts")
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let png = try browser.screenshot()
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        try png.write(to: artefacts.appendingPathComponent("eval-report.png"))
    }

    func testBadEvalInputIsOneLineAndExitTwo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eval-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let prompts = root.appendingPathComponent("prompts.txt")
        try "Once upon a time\nThe film\n".write(to: prompts, atomically: true, encoding: .utf8)
        let emptyRun = root.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: emptyRun.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        let out = root.appendingPathComponent("out").path
        let common = ["--prompts", prompts.path, "--tokenizer", storiesTokenizer, "--output", out]
        let cases: [([String], String)] = [
            (["eval", "--prompts", prompts.path, "--reward", "vader", "--output", out], "at least one --policy"),
            (["eval", "--policy", stories, "--reward", "vader", "--reward-model", "x"] + common, "exactly one of --reward-model and --reward"),
            (["eval", "--policy", stories, "--name", "a", "--name", "b", "--reward", "vader"] + common, "--name is given 2 times"),
            (["eval", "--policy", stories, "--reward", "vader", "--temperature", "0"] + common, "--temperature"),
            (["eval", "--policy", root.appendingPathComponent("missing.bin").path, "--reward", "vader"] + common, "no such file"),
            (["eval", "--policy", emptyRun.path, "--reward", "vader"] + common, "no checkpoint yet"),
            (["eval", "--policy", stories, "--reward", "vader", "--run", root.path] + common, "metrics.jsonl"),
            (["eval", "--policy", stories, "--reward", "vader", "--prompts", root.appendingPathComponent("none.txt").path,
              "--tokenizer", storiesTokenizer, "--output", out], "--prompts"),
        ]
        for (arguments, mention) in cases {
            let run = try RLHFBinary.run(binary, arguments, environment: TestPaths.environment)
            assertRefused(run, mentioning: [mention], arguments.joined(separator: " "))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
    }
}
