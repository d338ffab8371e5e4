import Foundation
import TestSupport
import Training
import XCTest

/// `DPOLoss` against `../shared/fixtures/dpo-loss.json` (TRL's sigmoid and IPO losses, implicit rewards
/// and reward accuracy from sequence log-probs), and its gradient against central differences.
final class DPOLossTests: XCTestCase {
    struct Fixture: Decodable {
        struct Inputs: Decodable {
            let policy_chosen, policy_rejected, ref_chosen, ref_rejected: [Double]
            let beta: Double
        }
        struct Expected: Decodable {
            let sigmoid_loss, ipo_loss, reward_accuracy: Double
            let chosen_rewards, rejected_rewards: [Double]
        }
        let inputs: Inputs
        let expected: Expected
    }

    func fixture() throws -> Fixture {
        let url = TestPaths.fixture("dpo-loss.json")
        try requireFile(FileManager.default.fileExists(atPath: url.path), "missing \(url.path)")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func loss(_ f: Fixture.Inputs, _ kind: DPOLossKind) throws -> DPOLoss {
        try DPOLoss(policyChosen: f.policy_chosen, policyRejected: f.policy_rejected, referenceChosen: f.ref_chosen,
                    referenceRejected: f.ref_rejected, beta: f.beta, kind: kind)
    }

    func testMatchesTRL() throws {
        let f = try fixture()
        let sigmoid = try loss(f.inputs, .sigmoid), ipo = try loss(f.inputs, .ipo)
        XCTAssertEqual(sigmoid.loss, f.expected.sigmoid_loss, accuracy: 1e-6)
        XCTAssertEqual(ipo.loss, f.expected.ipo_loss, accuracy: 1e-4)
        for (got, want) in zip(sigmoid.chosenRewards, f.expected.chosen_rewards) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        for (got, want) in zip(sigmoid.rejectedRewards, f.expected.rejected_rewards) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        XCTAssertEqual(sigmoid.accuracy, f.expected.reward_accuracy, accuracy: 1e-6)
        XCTAssertEqual(sigmoid.margin, zip(f.expected.chosen_rewards, f.expected.rejected_rewards).map { $0 - $1 }.reduce(0, +) / 6,
                       accuracy: 1e-6)
    }

    func testGradientsAreTheLossesDerivatives() throws {
        let f = try fixture()
        for kind in DPOLossKind.allCases {
            let analytic = try loss(f.inputs, kind)
            let h = 1e-5
            for i in 0..<f.inputs.policy_chosen.count {
                for chosen in [true, false] {
                    func shifted(_ by: Double) throws -> Double {
                        var inputs = (f.inputs.policy_chosen, f.inputs.policy_rejected)
                        if chosen { inputs.0[i] += by } else { inputs.1[i] += by }
                        return try DPOLoss(policyChosen: inputs.0, policyRejected: inputs.1, referenceChosen: f.inputs.ref_chosen,
                                           referenceRejected: f.inputs.ref_rejected, beta: f.inputs.beta, kind: kind).loss
                    }
                    let numeric = try FiniteDifference.slope(step: h, shifted)
                    let got = chosen ? analytic.dPolicyChosen[i] : analytic.dPolicyRejected[i]
                    XCTAssertEqual(got, numeric, accuracy: 1e-6 * max(1, abs(numeric)), "\(kind) pair \(i) chosen \(chosen)")
                }
            }
        }
    }

    func testBadInputs() {
        XCTAssertThrowsError(try DPOLoss(policyChosen: [], policyRejected: [], referenceChosen: [], referenceRejected: [], beta: 0.1,
                                         kind: .sigmoid)) { XCTAssertEqual($0 as? DPOInputError, .empty) }
        XCTAssertThrowsError(try DPOLoss(policyChosen: [1], policyRejected: [1, 2], referenceChosen: [1], referenceRejected: [1],
                                         beta: 0.1, kind: .sigmoid)) {
            XCTAssertEqual(($0 as? DPOInputError)?.description, "policyRejected has 2 values for 1 pairs")
        }
        XCTAssertThrowsError(try DPOLoss(policyChosen: [1], policyRejected: [1], referenceChosen: [1], referenceRejected: [1],
                                         beta: 0, kind: .ipo)) { XCTAssertEqual($0 as? DPOInputError, .beta(0)) }
    }
}
