import Foundation
@testable import PPO
import TestSupport
import XCTest

/// Bounded run configs: the nesting bound found before parsing is never below the real depth, text nested
/// past it and aliases expanding past the value budget are refused, counts and numbers have ranges.
final class RunConfigBoundsTests: XCTestCase {
    /// Nested YAML of real depth `depth` in each style a user may write.
    private func nested(_ depth: Int) -> [String] {
        let blockMaps = (0..<depth).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n")
            + "\n" + String(repeating: "  ", count: depth) + "v: 1"
        let blockLists = "a:\n" + (0..<depth).map { String(repeating: "  ", count: $0) + "-" }.joined(separator: "\n")
            + "\n" + String(repeating: "  ", count: depth) + "- 1"
        let compact = "a:\n" + String(repeating: "- ", count: depth) + "1"
        let flow = "a: " + String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
        let flowMaps = "a: " + String(repeating: "{b: ", count: depth) + "1" + String(repeating: "}", count: depth)
        let mixed = "a:\n  b:\n  - c: [" + String(repeating: "{d: [", count: depth / 2) + "1" + String(repeating: "]}", count: depth / 2) + "]"
        let quoted = "a: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\nb: \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"\nc: " + flow.dropFirst(3)
        return [blockMaps, blockLists, compact, flow, flowMaps, mixed, quoted]
    }

    func testTheBoundIsNeverBelowTheRealDepth() {
        for depth in [1, 2, 5, 10, 20, 31] {
            for text in nested(depth) {
                XCTAssertGreaterThanOrEqual(YAMLNesting.bound(text).depth, depth, text)
            }
        }
    }

    func testRealConfigsAreFarBelowTheBound() throws {
        let folder = TestPaths.packageRoot.appendingPathComponent("cluster/configs")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            XCTAssertLessThanOrEqual(YAMLNesting.bound(text).depth, 8, name)
        }
        // a block scalar's lines are text, however indented
        XCTAssertLessThanOrEqual(YAMLNesting.bound("a: |\n" + (0..<200).map { String(repeating: " ", count: 2 + $0) + "x" }.joined(separator: "\n")).depth, 4)
    }

    func testDeepTextAndAliasBombsAreRefused() {
        for text in nested(2000) {
            XCTAssertThrowsError(try ConfigValue.parse(text, file: "deep.yaml")) {
                guard case let .malformed(file, _, reason)? = ($0 as? RunConfigError)?.code else { return XCTFail("\($0)") }
                XCTAssertEqual(file, "deep.yaml")
                XCTAssertTrue(reason.contains("nested more than 64 deep"), reason)
            }
        }
        var lines = [#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for n in 1..<10 { lines.append("a\(n): &a\(n) [" + Array(repeating: "*a\(n - 1)", count: 9).joined(separator: ",") + "]") }
        XCTAssertThrowsError(try ConfigValue.parse(lines.joined(separator: "\n"), file: "bomb.yaml")) {
            XCTAssertTrue("\($0)".contains("100000 values"), "\($0)")
        }
        // an alias chain deeper than the text: each level nests the one before
        var chain = ["x0: &x0 [1]"]
        for n in 1..<80 { chain.append("x\(n): &x\(n) [*x\(n - 1)]") }
        XCTAssertThrowsError(try ConfigValue.parse(chain.joined(separator: "\n"), file: "chain.yaml")) {
            XCTAssertTrue("\($0)".contains("aliases included"), "\($0)")
        }
        XCTAssertNoThrow(try ConfigValue.parse(chain.prefix(20).joined(separator: "\n"), file: "chain.yaml"))
    }

    func testSetKeysAreBounded() {
        XCTAssertThrowsError(try PPORunConfig.parse(RunConfigTests.minimal, file: "run.yaml",
                                                    overrides: [Array(repeating: "a", count: 100).joined(separator: ".") + "=1"])) {
            XCTAssertTrue("\($0)".contains("nested 100 deep"), "\($0)")
        }
    }

    func testEveryNumberHasItsRange() {
        for (key, value) in [("learning_rate", "1e308"), ("learning_rate", "2"), ("no_eos_penalty", "1e308"), ("init_kl_coef", "1e308"),
                             ("target", "1e308"), ("horizon", "1e308"), ("cliprange", "1e308"), ("cliprange_value", "1e308"),
                             ("vf_coef", "1e308"), ("entropy_coef", "1e308"), ("max_grad_norm", "1e308"), ("ratio_threshold", "1e308"),
                             ("batch_size", "65537"), ("ppo_epochs", "1001"), ("iterations", "16777217"), ("samples_per_prompt", "257"),
                             ("generation.temperature", "1e-30"), ("generation.max_new_tokens", "65537"), ("data.eval_prompts", "65537"),
                             ("roles.rollout", "257"), ("roles.task_rows", "65537")] {
            XCTAssertThrowsError(try PPORunConfig.parse(RunConfigTests.minimal, file: "run.yaml", overrides: ["\(key)=\(value)"]), key) {
                guard case let .outOfRange(_, reported, _, _)? = ($0 as? RunConfigError)?.code else { return XCTFail("\(key): \($0)") }
                XCTAssertEqual(reported, key)
            }
        }
    }

    func testAChatTemplateIsKnownAndGoesWithHHPrompts() throws {
        XCTAssertThrowsError(try PPORunConfig.parse(RunConfigTests.minimal, file: "run.yaml",
                                                    overrides: ["data.format=hh", "policy.chat_template=nope"])) {
            XCTAssertTrue("\($0)".contains("chatml, smollm2, hh"), "\($0)")
        }
        XCTAssertThrowsError(try PPORunConfig.parse(RunConfigTests.minimal, file: "run.yaml", overrides: ["policy.chat_template=chatml"])) {
            XCTAssertTrue("\($0)".contains("data.format hh"), "\($0)")
        }
        let config = try PPORunConfig.parse("policy: {model: p, chat_template: smollm2}\nreward: {function: vader}\ndata: {format: hh, train: a, eval: b}",
                                            file: "run.yaml")
        XCTAssertEqual(config.chatTemplate, "smollm2")
    }
}
