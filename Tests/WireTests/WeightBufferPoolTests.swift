import Wire
import XCTest

/// A weight stream's buffer is reused by the next version once the last one's values are gone, never
/// while they live, and only for the same size.
final class WeightBufferPoolTests: XCTestCase {
    private func base(_ values: WeightValues) -> UnsafePointer<Float>? { values.withUnsafeBufferPointer { $0.baseAddress } }

    func testTheNextVersionReusesTheReleasedBuffer() {
        let pool = WeightBufferPool()
        var (first, buffer) = WeightValues.assembling(count: 1000, pool: pool)
        buffer.storeBytes(of: 1.5, toByteOffset: 0, as: Float.self)
        let firstBase = base(first)
        XCTAssertEqual(first.withUnsafeBufferPointer { $0[0] }, 1.5)
        let (second, _) = WeightValues.assembling(count: 1000, pool: pool)
        XCTAssertNotEqual(base(second), firstBase, "the first version still lives: a buffer of its own")
        first = WeightValues([])  // the first version's values are gone
        _ = first
        let (third, _) = WeightValues.assembling(count: 1000, pool: pool)
        XCTAssertEqual(base(third), firstBase, "its pages are reused")
        withExtendedLifetime(second) {}
        let (other, _) = WeightValues.assembling(count: 999, pool: pool)
        XCTAssertNotEqual(base(other), firstBase)
        XCTAssertEqual(other.count, 999)
        withExtendedLifetime(third) {}
    }
}
