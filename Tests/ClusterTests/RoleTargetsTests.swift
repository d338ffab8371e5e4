@testable import ClusterCore
import Wire
import XCTest

/// `RoleTargets` (what `rlhf scale` sets) and `WorkerAccounts` (per-worker accounting), as pure values.
final class RoleTargetsTests: XCTestCase {
    private func id(_ role: WorkerRole, _ index: Int) -> WorkerID { WorkerID(role: role, index: index) }

    func testScaleSetsOrChangesATargetWithinItsBounds() throws {
        var targets = RoleTargets([.rollout: 1, .reward: 1, .reference: 1])
        XCTAssertEqual(try targets.scale(.rollout, count: 3, relative: false), 1)
        XCTAssertEqual(try targets.scale(.rollout, count: -2, relative: true), 3)
        XCTAssertEqual(targets.counts[.rollout], 1)
        XCTAssertThrowsError(try targets.scale(.reward, count: 0, relative: false), "a run needs one of each role")
        XCTAssertThrowsError(try targets.scale(.reward, count: -1, relative: true))
        XCTAssertThrowsError(try targets.scale(.reward, count: RoleTargets.limit + 1, relative: false))
        XCTAssertEqual(targets.counts[.reward], 1, "a refused scale changes nothing")
    }

    func testOnlyScaledRolesDrainTheirNewestExtraWorkers() throws {
        var targets = RoleTargets([.rollout: 1, .reward: 1, .reference: 1])
        let workers = [id(.rollout, 0), id(.rollout, 4), id(.rollout, 2), id(.reward, 0), id(.reward, 1)]
        XCTAssertEqual(targets.excess(workers), [], "workers beside the config's counts are left alone until a scale")
        _ = try targets.scale(.rollout, count: 1, relative: false)
        XCTAssertEqual(Set(targets.excess(workers)), [id(.rollout, 4), id(.rollout, 2)], "the newest beyond the target")
        _ = try targets.scale(.reward, count: 2, relative: false)
        XCTAssertFalse(targets.excess(workers).contains { $0.role == .reward })
    }

    func testAccountsTimeLeasesAndFirstWork() {
        var accounts = WorkerAccounts()
        let worker = id(.reward, 0)
        accounts.leased(worker, now: 1)  // before it joined: not booked
        XCTAssertNil(accounts.accounts[worker])
        accounts.joined(worker, now: 10)
        accounts.leased(worker, now: 12.5)
        accounts.answered(worker, now: 13, finished: true)
        accounts.leased(worker, now: 14)
        accounts.answered(worker, now: 15, finished: false)
        accounts.answered(worker, now: 16, finished: true)  // no lease in hand: nothing to book
        let account = accounts.accounts[worker]!
        XCTAssertEqual(account.tasks, 1, "a failure is no task done")
        XCTAssertEqual(account.busySeconds, 1.5, accuracy: 1e-12)
        XCTAssertEqual(account.timeToFirstWork, 2.5)
        XCTAssertEqual(account.tasksPerMinute(now: 40), 2, accuracy: 1e-12)
        XCTAssertEqual(accounts.takeFirstWorkTimes(), [2.5])
        XCTAssertEqual(accounts.takeFirstWorkTimes(), [], "each first work is reported once")
    }

    func testSessionAdmitsANewKeyOnceUnderOneName() throws {
        let welcome = LearnerSession.WelcomeInfo(runSeed: 1, runConfig: "", overrides: [], digest: [])
        var keyless = LearnerSession(welcome: welcome)
        XCTAssertThrowsError(try keyless.admit(name: "rollout-1", key: "k1")) { XCTAssertEqual($0 as? LearnerSession.AdmitRefusal, .keyless) }
        var session = LearnerSession(welcome: welcome, clientNames: ["k0": "rollout-0", "op": "operator"], operatorKeys: ["op"])
        XCTAssertNoThrow(try session.admit(name: "rollout-1", key: "k1"))
        XCTAssertTrue(session.isIssued("rollout-1"))
        XCTAssertThrowsError(try session.admit(name: "rollout-1", key: "k2")) { XCTAssertEqual($0 as? LearnerSession.AdmitRefusal, .nameTaken("rollout-1")) }
        XCTAssertThrowsError(try session.admit(name: "rollout-2", key: "k0")) { XCTAssertEqual($0 as? LearnerSession.AdmitRefusal, .keyTaken(name: "rollout-0")) }
        XCTAssertEqual(session.issuedCount, 3)
    }
}
