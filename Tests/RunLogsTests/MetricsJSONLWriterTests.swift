import Foundation
import RunLogs
import TestSupport
import XCTest

/// metrics.jsonl: one object per line, numbers exact, non-finite values as null, appended across opens.
final class MetricsJSONLWriterTests: XCTestCase {
    func testLinesParseBackExactlyAndAppend() throws {
        let url = temporaryPath("m", suffix: "/metrics.jsonl")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try MetricsJSONLWriter(url: url).write(["iteration": 1, "env/reward_mean": 0.1 + 0.2, "ppo/loss/value": .nan])
        try MetricsJSONLWriter(url: url).write(["iteration": 2, "objective/kl": 1e-300])
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertNotNil(first["env/reward_mean"] as? Double)
        // the shortest text that reads back as the same Double (Foundation's parser rounds it, so read it here)
        let text = try XCTUnwrap(lines[0].split(separator: ",").first { $0.contains("env/reward_mean") }?.split(separator: ":").last)
        XCTAssertEqual(Double(text), 0.1 + 0.2)
        XCTAssertTrue(first["ppo/loss/value"] is NSNull)
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(second["objective/kl"] as? Double, 1e-300)
        XCTAssertEqual(second["iteration"] as? Double, 2)
    }

    func testKeysAreEscaped() throws {
        let line = MetricsJSONLWriter.line(["a\"b\n": 1])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["a\"b\n"] as? Double, 1)
    }
}
