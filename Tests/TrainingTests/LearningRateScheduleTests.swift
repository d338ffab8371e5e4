import Foundation
@testable import Training
import XCTest

/// Expected values are the closed forms of `transformers`' schedules, written out per case.
final class LearningRateScheduleTests: XCTestCase {
    func testConstantWithWarmup() {
        let schedule = LearningRateSchedule.constant(1e-3, warmupSteps: 4)
        XCTAssertEqual(schedule.lr(at: 0), 0)
        XCTAssertEqual(schedule.lr(at: 1), 1e-3 * 1 / 4, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 2), 1e-3 * 2 / 4, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 4), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 1_000_000), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(LearningRateSchedule.constant(3e-4).lr(at: 0), 3e-4)
    }

    func testLinearWarmupThenLinearDecay() {
        // warmup 10, total 110: max(0, (110 − s) / 100) after warmup
        let schedule = LearningRateSchedule.linear(peak: 2e-4, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule.lr(at: 0), 0)
        XCTAssertEqual(schedule.lr(at: 5), 2e-4 * 5 / 10, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 10), 2e-4, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 35), 2e-4 * (110 - 35) / 100, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 60), 1e-4, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 110), 0, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 500), 0, accuracy: 1e-15)
    }

    func testCosineWarmupThenHalfCosine() {
        // warmup 10, total 110: 0.5·(1 + cos(π·(s − 10)/100)) after warmup
        let schedule = LearningRateSchedule.cosine(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule.lr(at: 0), 0)
        XCTAssertEqual(schedule.lr(at: 3), 1e-3 * 0.3, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 10), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 35), 1e-3 * 0.5 * (1 + cos(Double.pi * 0.25)), accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 60), 5e-4, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 110), 0, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 160), 0, accuracy: 1e-15, "stays at its end past totalSteps")
    }

    func testMinimumRatioFloorsTheDecay() {
        // factor · (1 − 0.1) + 0.1
        let cosine = LearningRateSchedule.cosine(peak: 1e-3, warmupSteps: 10, totalSteps: 110, minimumRatio: 0.1)
        XCTAssertEqual(cosine.lr(at: 5), 1e-3 * 0.5, accuracy: 1e-15, "warmup is not floored")
        XCTAssertEqual(cosine.lr(at: 10), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(cosine.lr(at: 60), 1e-3 * (0.5 * 0.9 + 0.1), accuracy: 1e-15)
        XCTAssertEqual(cosine.lr(at: 110), 1e-4, accuracy: 1e-15)
        let linear = LearningRateSchedule.linear(peak: 1e-3, warmupSteps: 0, totalSteps: 100, minimumRatio: 0.2)
        XCTAssertEqual(linear.lr(at: 0), 1e-3, accuracy: 1e-15)
        XCTAssertEqual(linear.lr(at: 25), 1e-3 * (0.75 * 0.8 + 0.2), accuracy: 1e-15)
        XCTAssertEqual(linear.lr(at: 100), 2e-4, accuracy: 1e-15)
        XCTAssertEqual(linear.lr(at: 300), 2e-4, accuracy: 1e-15)
    }

    func testWarmupAsLongAsTheRunEndsAtZero() {
        // transformers: max(0, (T − s) / max(1, T − W)) = 0 once s = T = W
        let schedule = LearningRateSchedule.linear(peak: 1, warmupSteps: 4, totalSteps: 4)
        XCTAssertEqual(schedule.lr(at: 3), 0.75, accuracy: 1e-15)
        XCTAssertEqual(schedule.lr(at: 4), 0)
    }

    func testInvalidSchedulesAreTypedErrors() {
        XCTAssertThrowsError(try LearningRateSchedule.constant(-1).validate())
        XCTAssertThrowsError(try LearningRateSchedule.cosine(peak: 1e-3, warmupSteps: 0, totalSteps: 0).validate())
        XCTAssertThrowsError(try LearningRateSchedule.cosine(peak: 1e-3, warmupSteps: 0, totalSteps: 10,
                                                             minimumRatio: 1.5).validate()) {
            guard case .invalidHyperparameter(name: "minimum lr ratio", value: 1.5, requirement: _)? = ($0 as? OptimizerError)?.code
            else { return XCTFail("\($0)") }
        }
        XCTAssertNoThrow(try LearningRateSchedule.linear(peak: 1e-3, warmupSteps: 10, totalSteps: 10).validate())
    }
}
