import Foundation
import ModelIO
import TestSupport
import XCTest

final class SafetensorsWriterTests: XCTestCase {
    func testWrittenFileHasThePaddedHeaderAndExactValues() throws {
        let url = try temporaryFolder("modelio-tests").appendingPathComponent("out.safetensors")
        let weights: [Float] = [1, -0.0, .infinity, 0x1p-149, 3.25, -1e30]
        let ids: [Int64] = [-1, 0, 1 << 62]
        var writer = SafetensorsWriter()
        writer.addFloats("layer.w", shape: [2, 3], values: weights)
        writer.addInt64s("ids", shape: [3], values: ids)
        writer.addFloats("odd", shape: [1], values: [7])
        try writer.write(to: url)

        let raw = try RawSafetensors(url: url)
        XCTAssertEqual((8 + raw.headerLength) % 8, 0, "data must start 8-byte aligned")
        XCTAssertTrue(raw.headerText.hasPrefix("{"))
        let beforePadding = raw.headerText.reversed().drop(while: { $0 == " " })
        XCTAssertEqual(beforePadding.first, "}", "header is padded with spaces only")
        XCTAssertEqual(raw.metadata, ["format": "pt"])
        XCTAssertEqual(raw.entries["layer.w"]?.dtype, "F32")
        XCTAssertEqual(raw.entries["layer.w"]?.shape, [2, 3])
        XCTAssertEqual(raw.entries["ids"]?.dtype, "I64")
        XCTAssertEqual(raw.entries["ids"]?.begin, 0, "the 8-byte I64 tensor goes first")
        XCTAssertEqual(raw.f32("layer.w").map(\.bitPattern), weights.map(\.bitPattern))
        XCTAssertEqual(raw.f32("odd"), [7])
        let idBytes = [UInt8](raw.data("ids"))
        XCTAssertEqual(idBytes, ids.flatMap { SafetensorsBytes.littleEndian(UInt64(bitPattern: $0)) })

        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(try file.floats("layer.w").map(\.bitPattern), weights.map(\.bitPattern))
        XCTAssertEqual(try file.int64s("ids"), ids)
    }

    func testFillClosureIsCalledWithTheTensorsBuffer() throws {
        let url = try temporaryFolder("modelio-tests").appendingPathComponent("fill.safetensors")
        var writer = SafetensorsWriter()
        writer.addFloats("ramp", shape: [4]) { buffer in
            for i in buffer.indices { buffer[i] = Float(i) / 2 }
        }
        try writer.write(to: url)
        XCTAssertEqual(try RawSafetensors(url: url).f32("ramp"), [0, 0.5, 1, 1.5])
    }

    func testFailedWriteLeavesThePreviousFileAndNoTemporaryFile() throws {
        let directory = try temporaryFolder("modelio-tests")
        let url = directory.appendingPathComponent("model.safetensors")
        try Data("previous".utf8).write(to: url)

        var writer = SafetensorsWriter()
        writer.addFloats("w", shape: [2, 2], values: [1, 2, 3])
        assertCheckpointError(SafetensorsError.self, mentions: [url.path, "'w'"], { try writer.write(to: url) }) {
            if case .invalidTensor(_, "w", _) = $0 { true } else { false }
        }
        var duplicate = SafetensorsWriter()
        duplicate.addFloats("w", shape: [1], values: [1])
        duplicate.addFloats("w", shape: [1], values: [2])
        XCTAssertThrowsError(try duplicate.write(to: url))

        XCTAssertEqual(try Data(contentsOf: url), Data("previous".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
    }

    func testWritingIntoAMissingFolderFailsCleanly() throws {
        let url = try temporaryFolder("modelio-tests").appendingPathComponent("absent/model.safetensors")
        var writer = SafetensorsWriter()
        writer.addFloats("w", shape: [1], values: [1])
        assertCheckpointError(SafetensorsError.self, mentions: [url.path], { try writer.write(to: url) }) {
            if case .writeFailed = $0 { true } else { false }
        }
    }
}
