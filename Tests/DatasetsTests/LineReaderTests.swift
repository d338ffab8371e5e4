@testable import Datasets
import Foundation
import Storage
import TestSupport
import XCTest

/// The line reader passes over blank lines without building them, and fails fast on files of nothing:
/// too many blank lines in a row, too many lines in a row that hold no record, or a compressed file that
/// inflates past any text's ratio.
final class LineReaderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = temporaryPath("lines")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func write(_ name: String, _ data: Data) throws -> String {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func testBlankLinesArePassedOverAndCounted() throws {
        let path = try write("a.jsonl", Data("\n  \r\n{\"a\": 1}\n\t\n\n{\"a\": 2}\r\nlast".utf8))
        let reader = try LineReader(path: path)
        XCTAssertEqual(try reader.nextLine(), "{\"a\": 1}")
        XCTAssertEqual(reader.lineNumber, 3)
        XCTAssertEqual(try reader.nextLine(), "{\"a\": 2}")
        XCTAssertEqual(reader.lineNumber, 6)
        XCTAssertEqual(try reader.nextLine(), "last")
        XCTAssertNil(try reader.nextLine())
    }

    func testTooManyBlankLinesInARowFail() throws {
        let path = try write("blank.jsonl", Data(repeating: 0x0A, count: LineReader.maximumBlankRun + 1) + Data("{}\n".utf8))
        XCTAssertThrowsError(try LineReader(path: path).nextLine()) {
            let error = $0 as? DataFileError
            XCTAssertEqual(error?.line, LineReader.maximumBlankRun + 1)
            XCTAssertTrue(error?.reason.contains("blank lines in a row") == true, "\($0)")
        }
        let fine = try write("fine.jsonl", Data(repeating: 0x0A, count: LineReader.maximumBlankRun) + Data("{}\n".utf8))
        XCTAssertEqual(try LineReader(path: fine).nextLine(), "{}")
    }

    func testLinesOfNothingInARowFail() throws {
        let lines = String(repeating: "{\"text\": \"x\", \"label\": 7}\n", count: LineReader.maximumBlankRun + 1)
        let path = try write("bad.jsonl", Data(lines.utf8))
        XCTAssertThrowsError(try IMDbReviews.load(path: path, skipBadLines: true)) {
            XCTAssertTrue("\($0)".contains("hold nothing to read"), "\($0)")
        }
    }

    func testAGzipBombIsStoppedByItsRatio() throws {
        // one compressed megabyte of valid lines, repeated as 300 gzip members (zlib reads them as one stream)
        let raw = folder.appendingPathComponent("block.jsonl")
        let line = Data("{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n".utf8)
        var block = Data()
        while block.count < 1 << 20 { block += line }
        try block.write(to: raw)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-9", raw.path]
        try gzip.run()
        gzip.waitUntilExit()
        let member = try Data(contentsOf: URL(fileURLWithPath: raw.path + ".gz"))
        let bomb = try write("bomb.jsonl.gz", Data((0..<300).map { _ in member }.joined()))
        let reader = try LineReader(path: bomb)
        XCTAssertThrowsError(try { while try reader.nextLine() != nil {} }()) {
            XCTAssertTrue("\($0)".contains("decompression bomb"), "\($0)")
        }
    }
}
