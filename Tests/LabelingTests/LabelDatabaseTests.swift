import Foundation
@testable import Labeling
import XCTest

/// The SQLite store: pairs loaded once, one standing judgement per annotator and pair, undo, what the next
/// pair is, and a second open of the same file seeing every committed judgement.
final class LabelDatabaseTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("label-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private let pairs = (1...3).map { LabelPair(id: Int64($0), prompt: "p\($0)", responseA: "a\($0)", responseB: "b\($0)") }

    func testJudgementsUndoAndTheNextPair() throws {
        let path = folder.appendingPathComponent("labels.sqlite").path
        let db = try LabelDatabase(path: path, create: true)
        try db.load(pairs, from: "pairs.jsonl")
        XCTAssertEqual(try db.nextPair(for: "ann")?.id, 1)
        XCTAssertTrue(try db.record(pair: 1, annotator: "ann", left: .b, choice: .a))
        XCTAssertFalse(try db.record(pair: 1, annotator: "ann", left: .a, choice: .b), "a pair is judged once by each annotator")
        XCTAssertFalse(try db.record(pair: 9, annotator: "ann", left: .a, choice: .b), "no such pair")
        XCTAssertTrue(try db.record(pair: 2, annotator: "ann", left: .a, choice: .tie))
        XCTAssertEqual(try db.nextPair(for: "ann")?.id, 3)
        XCTAssertEqual(try db.nextPair(for: "bo")?.id, 1, "each annotator labels every pair")
        XCTAssertEqual(try db.undo(annotator: "ann"), 2)
        XCTAssertEqual(try db.nextPair(for: "ann")?.id, 2, "the undone pair shows again")
        XCTAssertTrue(try db.record(pair: 2, annotator: "ann", left: .b, choice: .b))
        XCTAssertTrue(try db.record(pair: 1, annotator: "bo", left: .a, choice: .skip))
        let progress = try db.progress(for: "ann")
        XCTAssertEqual(progress.pairs, 3)
        XCTAssertEqual(progress.judged, 2)
        XCTAssertEqual(progress.judgements, 3)
        XCTAssertEqual(progress.annotators, 2)

        // another connection to the same file, read-only: every committed judgement, the undone one left out
        let reader = try LabelDatabase(path: path, create: false)
        XCTAssertEqual(try reader.standingJudgements(), [Judgement(pair: 1, annotator: "ann", choice: .a), Judgement(pair: 1, annotator: "bo", choice: .skip),
                                                         Judgement(pair: 2, annotator: "ann", choice: .b)])
        XCTAssertEqual(try reader.allPairs(), pairs)
    }

    func testTheSamePairsContinueAndOtherPairsAreRefused() throws {
        let path = folder.appendingPathComponent("labels.sqlite").path
        try LabelDatabase(path: path, create: true).load(pairs, from: "pairs.jsonl")
        XCTAssertNoThrow(try LabelDatabase(path: path, create: true).load(pairs, from: "pairs.jsonl"))
        var other = pairs
        other[1].responseB = "changed"
        XCTAssertThrowsError(try LabelDatabase(path: path, create: true).load(other, from: "other.jsonl")) { error in
            XCTAssertTrue("\(error)".contains("pair 2 differs"), "\(error)")
        }
        XCTAssertThrowsError(try LabelDatabase(path: folder.appendingPathComponent("missing.sqlite").path, create: false)) { error in
            XCTAssertTrue("\(error)".contains("no such database"), "\(error)")
        }
        let notSQLite = folder.appendingPathComponent("text.sqlite")
        try "not a database".write(to: notSQLite, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LabelDatabase(path: notSQLite.path, create: false)) { XCTAssertTrue("\($0)".hasPrefix(notSQLite.path), "\($0)") }
    }

    func testPairsFileLinesAreChecked() throws {
        let file = folder.appendingPathComponent("pairs.jsonl")
        try """
        {"prompt":"p","response_a":"<script>x</script>","response_b":"b","labeler":"none"}

        {"prompt":"p2","response_a":"a"}
        """.write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LabelPairsFile.read(file.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(file.path):3: expected a JSON object"), "\(error)")
        }
        try "{\"prompt\":\"p\",\"response_a\":\"a\",\"response_b\":\"b\"}\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try LabelPairsFile.read(file.path), [LabelPair(id: 1, prompt: "p", responseA: "a", responseB: "b")])
    }
}
