import XCTest

/// The one closeness rule of the suite: each element passes when
///
///     |actual − expected| ≤ absolute + relative · |expected|
///
/// (numpy's `allclose` rule; NaN never passes). `absolute` is the floor for entries near zero and
/// `relative` scales with each expected entry. Where a tensor's entries span orders of magnitude and
/// only its largest ones carry signal (gradients), pass `absolute: fraction * largestMagnitude(expected)`.
/// A failure names the element that exceeds its bound the most.
package func assertClose<Actual: Collection, Expected: Collection>(
    _ actual: Actual, _ expected: Expected, absolute: Double = 0, relative: Double = 0, _ what: String = "",
    file: StaticString = #filePath, line: UInt = #line
) where Actual.Element: BinaryFloatingPoint, Expected.Element: BinaryFloatingPoint {
    let got = actual.map(Double.init), want = expected.map(Double.init)
    XCTAssertEqual(got.count, want.count, "\(what): element count", file: file, line: line)
    var worstExcess = 0.0, worstIndex = -1
    for i in 0..<min(got.count, want.count) {
        let excess = abs(got[i] - want[i]) - (absolute + relative * abs(want[i]))
        if !(excess <= 0) && (worstIndex < 0 || excess > worstExcess || excess.isNaN) { worstExcess = excess; worstIndex = i }
    }
    if worstIndex >= 0 {
        let bound = absolute + relative * abs(want[worstIndex])
        XCTFail("\(what): element \(worstIndex) is \(got[worstIndex]), expected \(want[worstIndex]) "
                + "(|difference| \(abs(got[worstIndex] - want[worstIndex])) > \(bound))", file: file, line: line)
    }
}

/// `assertClose` for one number, under the same rule.
package func assertClose<Actual: BinaryFloatingPoint, Expected: BinaryFloatingPoint>(
    _ actual: Actual, _ expected: Expected, absolute: Double = 0, relative: Double = 0, _ what: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    assertClose([actual], [expected], absolute: absolute, relative: relative, what, file: file, line: line)
}

/// The largest |x| of `values` (0 when empty): the scale for a floor relative to a whole tensor.
package func largestMagnitude<C: Collection>(_ values: C) -> Double where C.Element: BinaryFloatingPoint {
    values.reduce(0.0) { max($0, abs(Double($1))) }
}
