import Foundation
@testable import Tensor
import XCTest

/// `FastMath` against Foundation's double-precision functions.
final class FastMathTests: XCTestCase {
    /// Evenly spaced floats over `range`, `count` of them.
    private func grid(_ range: ClosedRange<Double>, count: Int) -> [Float] {
        (0..<count).map { Float(range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count - 1)) }
    }

    func testExpRelativeErrorOverNormalRange() {
        var worst = 0.0
        for x in grid(-87.3...88.37, count: 400_001) + grid(-1...1, count: 100_001) {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
        }
        XCTAssertLessThan(worst, 1.2e-7)
    }

    func testExpVectorLanesAreIndependent() {
        let x = SIMD8<Float>(-100, -3.5, -0.25, 0, 0.5, 7, 42, 88)
        let y = FastMath.exp(x)
        for lane in 0..<8 {
            let exact = Foundation.exp(Double(x[lane]))
            XCTAssertEqual(Double(y[lane]), exact, accuracy: exact * 2.5e-7 + 1e-38, "lane \(lane)")
        }
    }

    func testExpExtremes() {
        XCTAssertEqual(FastMath.exp(0), 1)
        for x: Float in [-87.5, -88, -100, -1e4, -Float.greatestFiniteMagnitude, -.infinity] {
            let y = FastMath.exp(x)
            XCTAssertFalse(y.isNaN, "exp(\(x))")
            XCTAssertEqual(y, 0, accuracy: 1.2e-38, "exp(\(x))")
        }
        XCTAssertEqual(FastMath.exp(-.infinity), 0)
        XCTAssertEqual(FastMath.exp(-1e30), 0)
        for x: Float in [88.4, 89, 1e4, .infinity] { XCTAssertEqual(FastMath.exp(x), .infinity, "exp(\(x))") }
        XCTAssertTrue(FastMath.exp(.nan).isNaN)
        // the last finite results just below ln(FLT_MAX)
        let nearTop: Float = 88.37
        XCTAssertEqual(Double(FastMath.exp(nearTop)), Foundation.exp(Double(nearTop)),
                       accuracy: Foundation.exp(Double(nearTop)) * 2.5e-7)
    }

    func testTanhAgainstFoundation() {
        var worstAbsolute = 0.0, worstRelative = 0.0
        for x in grid(-20...20, count: 400_001) + grid(-1e-3...1e-3, count: 10_001) {
            let exact = Foundation.tanh(Double(x)), y = Double(FastMath.tanh(x))
            worstAbsolute = max(worstAbsolute, abs(y - exact))
            if exact != 0 { worstRelative = max(worstRelative, abs(y - exact) / abs(exact)) }
        }
        XCTAssertLessThan(worstAbsolute, 1.2e-7)
        XCTAssertLessThan(worstRelative, 2.5e-7)
    }

    func testTanhExtremes() {
        XCTAssertEqual(FastMath.tanh(0), 0)
        for x: Float in [30, 1e4, .greatestFiniteMagnitude, .infinity] {
            XCTAssertEqual(FastMath.tanh(x), 1, "tanh(\(x))")
            XCTAssertEqual(FastMath.tanh(-x), -1, "tanh(\(-x))")
        }
        XCTAssertEqual(FastMath.tanh(1e-20), 1e-20)
        XCTAssertTrue(FastMath.tanh(.nan).isNaN)
    }

    func testSigmoidAgainstFoundation() {
        var worst = 0.0
        for x in grid(-80...80, count: 200_001) {
            let exact = 1 / (1 + Foundation.exp(-Double(x)))
            worst = max(worst, abs(Double(FastMath.sigmoid(x)) - exact) / exact)
        }
        XCTAssertLessThan(worst, 2.5e-7)
        XCTAssertEqual(FastMath.sigmoid(-1e4), 0)
        XCTAssertEqual(FastMath.sigmoid(-.infinity), 0)
        XCTAssertEqual(FastMath.sigmoid(1e4), 1)
        XCTAssertEqual(FastMath.sigmoid(.infinity), 1)
    }
}
