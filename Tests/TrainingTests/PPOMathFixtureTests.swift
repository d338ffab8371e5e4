import Foundation
import TestSupport
import Training
import XCTest

/// The PPO learner's math against `../shared/fixtures/ppo-math.json` (checked against TRL 0.11.4's
/// `compute_rewards`, `compute_advantages`, `loss` and `AdaptiveKLController`), and its gradients against
/// finite differences of the loss.
final class PPOMathFixtureTests: XCTestCase {
    struct Fixture {
        let rows: Int, length: Int
        let mask, logprobs, refLogprobs, newLogprobs, values, newValues: [Float]
        let scores: [Float]
        let hyper: [String: Double]
        let expected: [String: Any]

        init() throws {
            let url = TestPaths.fixture("ppo-math.json")
            let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let inputs = try XCTUnwrap(root["inputs"] as? [String: Any])
            func grid(_ object: [String: Any], _ key: String) throws -> [Float] {
                try XCTUnwrap(object[key] as? [[Double]], key).flatMap { $0.map(Float.init) }
            }
            let maskRows = try XCTUnwrap(inputs["mask"] as? [[Double]])
            rows = maskRows.count
            length = maskRows[0].count
            mask = try grid(inputs, "mask")
            logprobs = try grid(inputs, "logprobs")
            refLogprobs = try grid(inputs, "ref_logprobs")
            newLogprobs = try grid(inputs, "new_logprobs")
            values = try grid(inputs, "values")
            newValues = try grid(inputs, "new_values")
            scores = try XCTUnwrap(inputs["scores"] as? [Double]).map(Float.init)
            hyper = try XCTUnwrap(root["hyper"] as? [String: Double])
            expected = try XCTUnwrap(root["expected"] as? [String: Any])
        }

        func grid(_ key: String) throws -> [Float] {
            try XCTUnwrap(expected[key] as? [[Double]], key).flatMap { $0.map(Float.init) }
        }
        func number(_ key: String) throws -> Double { try XCTUnwrap(expected[key] as? Double, key) }

        func rewards() throws -> TokenRewards {
            try TokenRewards(scores: scores, logProbs: logprobs, referenceLogProbs: refLogprobs, mask: mask,
                             klCoefficient: hyper["kl_coef"]!, rows: rows, length: length)
        }
        func advantages(_ rewards: TokenRewards) throws -> GeneralizedAdvantage {
            try GeneralizedAdvantage(values: values, rewards: rewards.rewards, mask: mask, gamma: hyper["gamma"]!,
                                     lambda: hyper["lam"]!, rows: rows, length: length)
        }
        func loss(logProbs: [Float], values newValues: [Float], _ gae: GeneralizedAdvantage) throws -> PPOLoss {
            try PPOLoss(logProbs: logProbs, oldLogProbs: logprobs, advantages: gae.advantages, values: newValues,
                        oldValues: values, returns: gae.returns, mask: mask, clipRange: hyper["cliprange"]!,
                        valueClipRange: hyper["cliprange_value"]!, valueCoefficient: hyper["vf_coef"]!)
        }
    }

    func testRewardsAdvantagesReturnsAndWhitening() throws {
        let f = try Fixture()
        let rewards = try f.rewards()
        assertClose(rewards.rewards, try f.grid("rewards"), absolute: 1e-5, "rewards")
        let gae = try f.advantages(rewards)
        assertClose(gae.rawAdvantages, try f.grid("advantages_raw"), absolute: 1e-5, "raw advantages")
        assertClose(gae.returns, try f.grid("returns"), absolute: 1e-5, "returns")
        assertClose(gae.advantages, try f.grid("advantages_whitened"), absolute: 1e-5, "whitened advantages")
    }

    func testLossesClipFractionAndApproxKL() throws {
        let f = try Fixture()
        let loss = try f.loss(logProbs: f.newLogprobs, values: f.newValues, try f.advantages(try f.rewards()))
        XCTAssertEqual(loss.policy, try f.number("pg_loss"), accuracy: 1e-6)
        XCTAssertEqual(loss.value, try f.number("vf_loss"), accuracy: 1e-5)
        XCTAssertEqual(loss.total, try f.number("loss"), accuracy: 1e-5)
        XCTAssertEqual(loss.clipFraction, try f.number("clipfrac"), accuracy: 1e-7)
        XCTAssertEqual(loss.approxKL, try f.number("approxkl"), accuracy: 1e-7)
    }

    func testAdaptiveKLControllerUpdate() throws {
        let f = try Fixture()
        let kl = try f.rewards().sequenceKL(rows: f.rows, length: f.length)
        let meanKL = kl.reduce(0, +) / Double(kl.count)
        XCTAssertEqual(meanKL, try f.number("mean_sequence_kl"), accuracy: 1e-6)
        var controller = KLController(initial: f.hyper["kl_coef"]!,
                                      mode: .adaptive(target: f.hyper["kl_target"]!, horizon: f.hyper["kl_horizon"]!))
        controller.update(kl: meanKL, sequences: f.rows)
        XCTAssertEqual(controller.coefficient, try f.number("next_kl_coef_after_update"), accuracy: 1e-12)
        var fixed = KLController(initial: 0.2, mode: .fixed)
        fixed.update(kl: meanKL, sequences: f.rows)
        XCTAssertEqual(fixed.coefficient, 0.2)
    }

    func testLossGradientsMatchFiniteDifferences() throws {
        let f = try Fixture()
        let gae = try f.advantages(try f.rewards())
        let loss = try f.loss(logProbs: f.newLogprobs, values: f.newValues, gae)
        func moved(_ values: [Float], _ i: Int, _ t: Double) -> [Float] {
            var values = values
            values[i] += Float(t)
            return values
        }
        for i in 0..<f.mask.count where f.mask[i] != 0 {
            let numeric = try FiniteDifference.slope(step: 1e-3) {
                Double(try f.loss(logProbs: moved(f.newLogprobs, i, $0), values: f.newValues, gae).total)
            }
            XCTAssertEqual(Double(loss.dLogProbs[i]), numeric, accuracy: 1e-4, "d loss / d logp[\(i)]")
            let numericV = try FiniteDifference.slope(step: 1e-3) {
                Double(try f.loss(logProbs: f.newLogprobs, values: moved(f.newValues, i, $0), gae).total)
            }
            XCTAssertEqual(Double(loss.dValues[i]), numericV, accuracy: 1e-4, "d loss / d value[\(i)]")
        }
        XCTAssertEqual(loss.dLogProbs.enumerated().filter { f.mask[$0.offset] == 0 }.map(\.element).max() ?? 0, 0)
    }
}
