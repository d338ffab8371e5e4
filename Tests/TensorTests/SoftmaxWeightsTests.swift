import Foundation
@testable import Tensor
import TestSupport
import XCTest

/// Sampling weights exp((x − shift)·scale) and their sum, and the row maximum, against Double references
/// on a vocabulary-sized row with an odd tail.
final class SoftmaxWeightsTests: XCTestCase {
    func testExponentiateShiftedAndRowMaximum() {
        let count = 50_257
        var rng = SplitMix64(seed: 5)
        let x = rng.floats(count, in: -20...20)
        var out = [Float](repeating: 0, count: count)
        let maximum = x.withUnsafeBufferPointer { CPUKernels.rowMaximum($0.baseAddress!, count: count) }
        XCTAssertEqual(maximum, x.max()!)
        let scale: Float = 1 / 0.7
        let sum = x.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { o in
                CPUKernels.exponentiateShifted(xs.baseAddress!, into: o.baseAddress!, count: count, shift: maximum, scale: scale)
            }
        }
        var reference = 0.0
        for i in 0..<count {
            let argument = Double(x[i] - maximum) * Double(scale)
            let e = Foundation.exp(argument)
            reference += e
            // the kernel forms the argument in float32: its rounding (~|argument|·2^-24) carries into exp
            XCTAssertEqual(Double(out[i]), e, accuracy: e * (1e-6 + 2e-7 * abs(argument)) + 1e-37, "[\(i)]")
        }
        XCTAssertEqual(sum, reference, accuracy: 1e-5 * reference)
    }
}
