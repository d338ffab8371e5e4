@testable import RLHFCommands
import XCTest

/// Packing repeated array options keeps every value in order, touches nothing else, and refuses other
/// options given too many times.
final class RepeatedOptionsTests: XCTestCase {
    func testPackingRoundTripsEveryValueInOrder() throws {
        let values = (0..<100).map { "k\($0)=v \($0)" }
        let arguments = ["ppo", "--config", "c.yaml"] + values.flatMap { ["--set", $0] } + ["--output", "o", "--set=last=1"]
        let packed = try RepeatedOptions.pack(arguments)
        XCTAssertEqual(packed.filter { $0 == "--set" }.count, 1)
        XCTAssertEqual(Array(packed.prefix(3)), ["ppo", "--config", "c.yaml"])
        XCTAssertTrue(packed.contains("--output") && packed.contains("o"))
        let index = try XCTUnwrap(packed.firstIndex(of: "--set"))
        XCTAssertEqual(RepeatedOptions.unpack([packed[index + 1]]), values + ["last=1"])
        // few occurrences, or another subcommand's option of the same name, are left as they are
        let few = ["ppo", "--set", "a=1", "--set", "b=2"]
        XCTAssertEqual(try RepeatedOptions.pack(few), few)
        let afterTerminator = ["reward", "score", "--"] + Array(repeating: "--text", count: 100)
        XCTAssertEqual(try RepeatedOptions.pack(afterTerminator), afterTerminator)
    }

    func testParsedValuesAreThoseTyped() throws {
        let texts = (0..<200).map { "text \($0)" }
        let command = try XCTUnwrap(RLHFCommand.parseAsRoot(try RepeatedOptions.pack(
            ["reward", "score", "--function", "vader"] + texts.flatMap { ["--text", $0] })) as? RewardScoreCommand)
        XCTAssertEqual(command.text, texts)
        let ids = (0..<100).map { "\($0),\($0 + 1)" }
        let byIDs = try XCTUnwrap(RLHFCommand.parseAsRoot(try RepeatedOptions.pack(
            ["reward", "score", "--model", "m"] + ids.flatMap { ["--ids", $0] })) as? RewardScoreCommand)
        XCTAssertEqual(byIDs.ids.map(\.values), (0..<100).map { [$0, $0 + 1] })
    }

    func testOtherOptionsGivenTooOftenAreRefused() {
        XCTAssertThrowsError(try RepeatedOptions.pack(["score"] + Array(repeating: "--json", count: 40))) {
            XCTAssertTrue("\($0)".contains("--json is given 40 times"), "\($0)")
        }
        XCTAssertThrowsError(try RepeatedOptions.pack(["tokenize"] + Array(repeating: ["--text", "x"], count: 40).flatMap { $0 }))
    }
}
