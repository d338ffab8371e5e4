import Launch
import XCTest

/// Host files and the placement plan: explicit roles, the config's counts over free slots, devices per
/// slot, and a one-line error naming the file and line for each kind of mistake.
final class HostFileTests: XCTestCase {
    func testParseCommentsGPUsAndRoles() throws {
        let file = try HostFile.parse("""
            # the learner's host
            alpha slots=2 gpus=0,1 roles=learner,reference   # two GPUs

            beta slots=4
            """, file: "hosts")
        XCTAssertEqual(file.hosts.map(\.host), ["alpha", "beta"])
        XCTAssertEqual(file.hosts[0].gpus, [0, 1])
        XCTAssertEqual(file.hosts[0].roles, [.learner, .reference])
        XCTAssertNil(file.hosts[1].roles)
        XCTAssertEqual(file.hosts[1].line, 4)
    }

    func testEachMistakeNamesItsLine() {
        let cases: [(String, String)] = [
            ("a slots=0", "hosts:1: slots=0 must be 1 to 4096"),
            ("a", "hosts:1: a has no slots=N"),
            ("a slots=2\na slots=1", "hosts:2: a is listed twice"),
            ("a slots=1 threads=2", "hosts:1: unknown key 'threads' (slots, gpus, cores, roles)"),
            ("a slots=1 cores=2", "hosts:1: cores=2 must be split or shared"),
            ("a slots=1 cores=shared cores=split", "hosts:1: cores given twice"),
            ("a slots=1 gpus=0 cores=shared", "hosts:1: cores= is for CPU hosts; this one lists gpus="),
            ("a slots=1 roles=learner,critic", "hosts:1: unknown role 'critic' (learner, rollout, reward, reference)"),
            ("a slots=1 roles=learner,rollout", "hosts:1: roles= lists 2 processes for 1 slots"),
            ("a slots=2 gpus=0,0", "hosts:1: gpus=0,0 must be distinct device numbers, comma-separated"),
            ("a slots=2 gpus=0", "hosts:1: 2 slots but 1 GPUs: one GPU per slot"),
            ("a slots", "hosts:1: 'slots' is not key=value"),
            ("-oProxyCommand=x slots=1", "hosts:1: '-oProxyCommand=x' is not a host name"),
            ("# nothing\n", "hosts: no hosts"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try HostFile.parse(text, file: "hosts"), text) { error in
                XCTAssertEqual((error as? HostFileError)?.description, message)
            }
        }
    }

    func testThePlanPlacesExplicitRolesThenTheConfigsCounts() throws {
        let file = try HostFile.parse("localhost slots=4 roles=learner\nother slots=4", file: "hosts")
        let plan = try PlacementPlan.make(file, counts: [.learner: 1, .rollout: 2, .reward: 1, .reference: 1], file: "hosts",
                                          cores: { $0 == "localhost" ? 8 : 4 })
        XCTAssertEqual(plan.lines, [
            "learner#0@localhost slot 0 cpu:0-1",
            "rollout#0@other slot 2 cpu:2",
            "rollout#1@other slot 3 cpu:3",
            "reward#0@other slot 1 cpu:1",
            "reference#0@other slot 0 cpu:0",
        ])
    }

    func testGPUSlotsAndTooFewSlotsAndLearnerCount() throws {
        let gpus = try HostFile.parse("g slots=2 gpus=3,5", file: "h")
        let plan = try PlacementPlan.make(gpus, counts: [.learner: 1, .rollout: 1], file: "h", cores: { _ in 16 })
        XCTAssertEqual(plan.processes.map(\.device), ["cuda:3", "cuda:5"])
        XCTAssertThrowsError(try PlacementPlan.make(gpus, counts: [.learner: 1, .rollout: 2], file: "h", cores: { _ in 16 })) {
            XCTAssertTrue(($0 as? HostFileError)?.description.contains("2 slots") ?? false, "\($0)")
        }
        let two = try HostFile.parse("a slots=1 roles=learner\nb slots=1 roles=learner", file: "h")
        XCTAssertThrowsError(try PlacementPlan.make(two, counts: [.learner: 1], file: "h", cores: { _ in 2 })) {
            XCTAssertEqual(($0 as? HostFileError)?.description, "h: a run has exactly one learner; the host file places 2")
        }
    }

    /// `cores=shared`: every process of the host on all its cores (roles that take turns keep full speed).
    func testSharedCores() throws {
        let file = try HostFile.parse("localhost slots=5 cores=shared", file: "hosts")
        XCTAssertTrue(file.hosts[0].sharesCores)
        let plan = try PlacementPlan.make(file, counts: [.learner: 1, .rollout: 2, .reward: 1, .reference: 1], file: "hosts",
                                          cores: { _ in 4 })
        XCTAssertEqual(Set(plan.processes.map(\.device)), ["cpu:0-3"])
        XCTAssertEqual(plan.processes.count, 5)
        XCTAssertFalse(try HostFile.parse("a slots=1 cores=split", file: "h").hosts[0].sharesCores)
    }
}
