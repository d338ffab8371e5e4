import Foundation
import TestSupport
import XCTest

/// Churn at scale through `rlhf bench transport --churn`: 64 stand-ins on the learner's real transport
/// while 8 leave (by turns draining and closing their socket without a word) and 8 join every second.
/// The learner sends no lease to a worker it knows has left (drained, gone, or stopped), no stand-in
/// hears a lease after its `STOP`, every round completes with every task once (the bench fails
/// otherwise), and the rounds keep going. Nothing here is timed.
final class LeaseChurnTests: XCTestCase {
    func testNoLeaseGoesToADepartedWorkerAndEveryTaskCompletesOnce() throws {
        let r = try RLHFBinary.run(RLHFBinary.url(besideBundleOf: Self.self),
                                   ["bench", "transport", "--churn", "8", "--workers", "64", "--tasks", "2000",
                                    "--runs", "3", "--warmup", "0", "--security", "plain", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let line = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        XCTAssertEqual(line["measurement"] as? String, "leases")
        XCTAssertEqual(line["workers"] as? Int, 64)
        XCTAssertEqual(line["leases_per_round"] as? Int, 6000, "without churn: 3 leases a task, none again")
        let churn = try XCTUnwrap(line["churn"] as? [String: Any], r.stdout)
        XCTAssertEqual(churn["churn_per_s"] as? Int, 8)
        XCTAssertEqual(churn["leases_to_departed"] as? Int, 0, "the learner leased nothing to a worker it knew had left: \(churn)")
        XCTAssertEqual(churn["leases_after_left"] as? Int, 0, "no stand-in heard a lease after its STOP: \(churn)")
        XCTAssertEqual(churn["never_stopped"] as? Int, 0, "every drained stand-in was stopped: \(churn)")
        XCTAssertEqual(churn["join_failures"] as? Int, 0, "\(churn)")
        XCTAssertGreaterThanOrEqual(churn["rounds"] as? Int ?? 0, 3, "the rounds kept going: \(churn)")
        XCTAssertEqual((churn["rates"] as? [Double])?.count, 3)
        let drained = churn["left_draining"] as? Int ?? 0, disconnected = churn["left_disconnecting"] as? Int ?? 0
        XCTAssertGreaterThanOrEqual(drained, 4, "\(churn)")
        XCTAssertGreaterThanOrEqual(disconnected, 4, "\(churn)")
        XCTAssertEqual(churn["joined"] as? Int, drained + disconnected, "one joined for each that left: \(churn)")
        XCTAssertGreaterThan(churn["registered_max"] as? Int ?? 0, 48, "\(churn)")
    }

    func testChurnNeedsWorkersToSpare() throws {
        let binary = RLHFBinary.url(besideBundleOf: Self.self)
        for arguments in [["--churn", "-1"], ["--churn", "8", "--workers", "12"]] {
            let r = try RLHFBinary.run(binary, ["bench", "transport"] + arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--churn"), r.stderr)
        }
    }
}
