import Training
import XCTest

/// RLOO and GRPO advantages against values worked out by hand.
final class CriticFreeAdvantageTests: XCTestCase {
    func testRLOOSubtractsTheMeanOfTheOtherSamples() throws {
        // prompt 1: rewards 1, 2, 6 → 1 − 4 = −3, 2 − 3.5 = −1.5, 6 − 1.5 = 4.5; prompt 2: 0, 0, 3 → −1.5, −1.5, 3
        let got = try CriticFreeAdvantages.rloo(rewards: [1, 2, 6, 0, 0, 3], samplesPerPrompt: 3)
        XCTAssertEqual(got, [-3, -1.5, 4.5, -1.5, -1.5, 3])
    }

    func testGRPONormalisesWithinEachPrompt() throws {
        // prompt 1: 1, 3 → mean 2, std √2 → ∓1/(√2 + 1e-4); prompt 2: 5, 5 → 0, 0
        let got = try CriticFreeAdvantages.grpo(rewards: [1, 3, 5, 5], samplesPerPrompt: 2)
        let scale = 1 / (2.0.squareRoot() + 1e-4)
        XCTAssertEqual(got[0], -scale, accuracy: 1e-12)
        XCTAssertEqual(got[1], scale, accuracy: 1e-12)
        XCTAssertEqual(got[2], 0)
        XCTAssertEqual(got[3], 0)
    }

    func testGroupsMustDivideTheBatch() {
        XCTAssertThrowsError(try CriticFreeAdvantages.rloo(rewards: [1, 2, 3], samplesPerPrompt: 2)) {
            XCTAssertEqual($0 as? PPOInputError, .invalidGroupSize(samplesPerPrompt: 2, batch: 3))
        }
        XCTAssertThrowsError(try CriticFreeAdvantages.grpo(rewards: [1, 2], samplesPerPrompt: 1))
    }
}
