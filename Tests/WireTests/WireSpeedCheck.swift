@testable import Wire
import XCTest

/// By hand, not a timed test: `RLHF_WIRE_SPEED=1 swift test -c release -Xswiftc -enable-testing --skip-build
/// --filter WireSpeedCheck` prints the time to encode and decode a 16-row rollout task (and its rollout).
final class WireSpeedCheck: XCTestCase {
    func testEncodeDecodeSpeed() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["RLHF_WIRE_SPEED"] == "1", "set RLHF_WIRE_SPEED=1 to run")
        var random = SeededRandom(state: 7)
        let prompts = (0..<16).map { _ in (0..<Int.random(in: 8...64, using: &random)).map { _ in Int.random(in: 0..<49_152, using: &random) } }
        let task = WireMessage.rolloutTask(RolloutTask(id: TaskID(iteration: 10, index: 3), policyVersion: 10, prompts: prompts, seed: 99,
                                                       sampling: WireExamples.sampling))
        let responses = (0..<16).map { _ in (0..<48).map { _ in Int.random(in: 0..<49_152, using: &random) } }
        let rollout = WireMessage.rollout(Rollout(id: TaskID(iteration: 10, index: 3), policyVersion: 10, responses: responses,
                                                  logProbs: responses.map { $0.map { _ in -Float.random(in: 0..<8, using: &random) } },
                                                  stopped: (0..<16).map { $0 % 3 == 0 }, seconds: 0.5))
        for (name, message, sender) in [("16-row ROLLOUT_TASK", task, WirePeer.learner), ("16-row ROLLOUT (48 tokens a row)", rollout, .worker)] {
            let header = WireHeader(worker: 1, sequence: 1)
            let frames = try WireCodec.encode(message, header: header)
            XCTAssertEqual(try WireCodec.decode(frames: frames, from: sender).message, message)
            let rounds = 20_000
            /// The best of 5 runs of `rounds` calls of `body`, in µs per call.
            func microseconds(_ body: () throws -> Void) rethrows -> Double {
                var best = Duration.seconds(1000)
                for _ in 0..<5 {
                    let start = ContinuousClock.now
                    for _ in 0..<rounds { try body() }
                    best = min(best, ContinuousClock.now - start)
                }
                return (Double(best.components.seconds) * 1e6 + Double(best.components.attoseconds) / 1e12) / Double(rounds)
            }
            let both = try microseconds { _ = try WireCodec.decode(frames: try WireCodec.encode(message, header: header), from: sender) }
            let encode = try microseconds { _ = try WireCodec.encode(message, header: header) }
            let decode = try microseconds { _ = try WireCodec.decode(frames: frames, from: sender) }
            print("wire speed: \(name), \(frames[1].count)-byte body: " + String(format: "%.2f µs per encode + decode (encode %.2f, decode %.2f)", both, encode, decode))
        }
    }
}
