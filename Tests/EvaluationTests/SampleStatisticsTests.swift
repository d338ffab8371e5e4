@testable import Evaluation
import XCTest

/// `SampleStatistics` against values worked by hand.
final class SampleStatisticsTests: XCTestCase {
    func testMeanAndStandardError() throws {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5; squared deviations sum to 32; sample variance 32/7; stderr √(32/7/8) = √(4/7)
        let m = try XCTUnwrap(SampleStatistics.mean([2, 4, 4, 4, 5, 5, 7, 9]))
        XCTAssertEqual(m.mean, 5)
        XCTAssertEqual(m.standardError, (4.0 / 7).squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(m.count, 8)
        XCTAssertEqual(SampleStatistics.mean([3]), SampleStatistics.Mean(mean: 3, standardError: 0, count: 1))
        XCTAssertNil(SampleStatistics.mean([]))
        XCTAssertNil(SampleStatistics.mean([1, .nan]))
    }

    func testDistinctNOverAllResponses() {
        // "a b a b" and "a b c": unigrams a b a b a b c → 3 distinct of 7; bigrams ab ba ab ab bc → 3 distinct of 5
        let responses = ["a b a b", "a  b\nc"]
        XCTAssertEqual(SampleStatistics.distinct(1, of: responses), 3.0 / 7)
        XCTAssertEqual(SampleStatistics.distinct(2, of: responses), 3.0 / 5)
        XCTAssertEqual(SampleStatistics.distinct(3, of: ["a b", ""]), 0, "no response has 3 words")
        XCTAssertEqual(SampleStatistics.distinct(1, of: ["x y z"]), 1)
    }

    func testHistogramBins() {
        let values = [-1, -0.5, 0, 0.49, 0.5, 1, 2, .nan]
        // 4 bins over [-1, 1]: [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1]; 2 and NaN are left out
        XCTAssertEqual(SampleStatistics.histogram(values, bins: 4, range: -1...1), [1, 1, 2, 2])
        XCTAssertEqual(SampleStatistics.histogram([3, 3], bins: 2, range: 3...3), [2, 0], "a range of one value")
    }
}
