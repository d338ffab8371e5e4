import Foundation
import TestSupport
import XCTest

/// `rlhf bench dpo` times DPO steps on random pairs and reports them as the other workloads do.
final class BenchDPOCommandTests: XCTestCase {
    func testStepsAreTimed() throws {
        let r = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                   ["bench", "dpo", "--model", "gpt2-tiny", "--batch", "2", "--seq", "8", "--warmup", "0", "--runs", "2",
                                    "--threads", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["workload"] as? String, "dpo")
        XCTAssertEqual((object["times_s"] as? [Double])?.count, 2)
        XCTAssertGreaterThan(try XCTUnwrap(object["median_s"] as? Double), 0)
        XCTAssertEqual(object["tokens_per_s"] as? Double ?? 0, 2 * 2 * 8 / (object["median_s"] as? Double ?? 1), accuracy: 1e-6,
                       "both responses of each pair are processed")
    }
}
