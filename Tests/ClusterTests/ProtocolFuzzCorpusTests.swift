import ProtocolFuzzing
import TestSupport
import XCTest

/// The fuzzer's committed corpus (`Fuzz/corpus`), its crash regressions (`Fuzz/regressions`) and its
/// seeds replay without breaking an invariant; the seeds reach deep into both sessions.
final class ProtocolFuzzCorpusTests: XCTestCase {
    /// The files of `Fuzz/NAME` in this checkout.
    private func inputs(_ name: String) throws -> [(String, [UInt8])] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/\(name)")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { !$0.hasPrefix(".") }.map {
            ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0))))
        }
    }

    func testTheCommittedCorpusAndRegressionsReplay() throws {
        let corpus = try inputs("corpus"), regressions = try inputs("regressions")
        XCTAssertGreaterThan(corpus.count, 100, "the committed corpus")
        for (name, bytes) in corpus + regressions {
            XCTAssertEqual(ProtocolFuzzer.run(bytes).violations, [], name)
        }
    }

    func testTheSeedsReplayAndReachEveryPath() {
        for seed in FuzzSeeds.all() { XCTAssertEqual(ProtocolFuzzer.run(seed.bytes).violations, [], seed.name) }
        let seeds = Dictionary(uniqueKeysWithValues: FuzzSeeds.all().map { ($0.name, $0.bytes) })
        let round = ProtocolFuzzer.run(seeds["learner-round"]!)
        XCTAssertGreaterThanOrEqual(round.leases, 3, "the round leased work to each role")
        XCTAssertEqual(round.accepted, 3, "the rollout, score and reference of task 0 were accepted")
        XCTAssertEqual(round.refused, [:], "a sound session refuses nothing")
        XCTAssertEqual(ProtocolFuzzer.run(seeds["worker-stream"]!).weightsAssembled, 1, "the generator assembled version 1")
    }

    func testHostileStepsAreRefusedWithoutBreakingAnything() {
        // a stranger's frames, an unkeyed registration, and a key registering as another role
        let register = FuzzSeeds.all().first { $0.name.hasSuffix("-register") }!.bytes
        var steps = Array(register)
        steps[0] = UInt8(((3 << 2) | 1) << 2)  // peer 1, no key
        let report = ProtocolFuzzer.run(steps + register)
        XCTAssertEqual(report.violations, [])
        XCTAssertEqual(report.refused["wrong_key"], 2, "no key, then the rollout key registering as a reward scorer")
    }
}
