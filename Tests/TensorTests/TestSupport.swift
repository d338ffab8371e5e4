@testable import Tensor
import XCTest

/// The project's seeded generator, so every run draws the same numbers.
typealias SeededGenerator = SplitMix64

extension SplitMix64 {
    /// `count` floats uniform in `range`.
    mutating func floats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &self) }
    }

    /// `count` token ids uniform in 0..<upper.
    mutating func ids(_ count: Int, below upper: Int) -> [Int32] {
        (0..<count).map { _ in Int32.random(in: 0..<Int32(upper), using: &self) }
    }
}

/// A test case whose buffers live until the test ends, so `buffer(x).pointer` can be passed straight
/// to a kernel (a bare temporary `FloatBuffer` may be freed as soon as its pointer is read).
class KernelTestCase: XCTestCase {
    private var retained: [FloatBuffer] = []

    override func tearDown() {
        retained.removeAll()
        super.tearDown()
    }

    /// A buffer holding `values`, alive until the test ends.
    func buffer(_ values: [Float]) -> FloatBuffer {
        let b = buffer(count: values.count)
        b.pointer.update(from: values, count: values.count)
        return b
    }

    /// A zeroed buffer of `count` floats, alive until the test ends.
    func buffer(count: Int) -> FloatBuffer {
        let b = FloatBuffer(count: count)
        retained.append(b)
        return b
    }
}

/// Calls `body` with a pointer to a mutable copy of `values`.
func withTokens<R>(_ values: [Int32], _ body: (TokenPointer) throws -> R) rethrows -> R {
    var copy = values
    return try copy.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}

/// Asserts |actual − expected| ≤ absolute + relative·|expected| element-wise, naming the worst failure.
func assertClose(_ actual: [Float], _ expected: [Double], absolute: Double, relative: Double = 0,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(actual.count, expected.count) {
        let error = abs(Double(actual[i]) - expected[i])
        let excess = error - (absolute + relative * abs(expected[i]))
        if !(excess <= 0) && (worstIndex < 0 || excess > worst || excess.isNaN) { worst = excess; worstIndex = i }
    }
    if worstIndex >= 0 {
        XCTFail("\(message): element \(worstIndex) is \(actual[worstIndex]), expected \(expected[worstIndex])",
                file: file, line: line)
    }
}

/// Central difference d loss / d values[index] in Double.
func centralDifference(_ values: [Double], at index: Int, step: Double = 1e-5, _ loss: ([Double]) -> Double) -> Double {
    var plus = values, minus = values
    plus[index] += step
    minus[index] -= step
    return (loss(plus) - loss(minus)) / (2 * step)
}

/// Σ a[i]·b[i] in Double.
func dot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

extension Array where Element == Float {
    /// The elements widened to Double.
    var doubles: [Double] { map(Double.init) }
}
