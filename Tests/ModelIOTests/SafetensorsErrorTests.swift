import Foundation
import ModelIO
import TestSupport
import XCTest

/// Each malformed file gives its own typed error, whose one-line message names the file (and the key).
final class SafetensorsErrorTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try temporaryFolder("modelio-tests") }

    /// Writes `contents` to a fresh file and returns its URL.
    private func write(_ contents: Data, name: String = "bad.safetensors") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url)
        return url
    }

    private func assertOpenFails(_ url: URL, mentions: [String], file: StaticString = #filePath, line: UInt = #line,
                                 _ matches: (SafetensorsError.Code) -> Bool) {
        assertCheckpointError(SafetensorsError.self, mentions: [url.path] + mentions, file: file, line: line,
                     { _ = try SafetensorsFile(url: url) }, matches: matches)
    }

    func testFileShorterThanTheLengthPrefix() throws {
        let url = try write(Data([1, 2, 3, 4]))
        assertOpenFails(url, mentions: ["4 bytes"]) { if case .fileTooShort(_, 4) = $0 { true } else { false } }
        let empty = try write(Data(), name: "empty.safetensors")
        assertOpenFails(empty, mentions: []) { if case .fileTooShort(_, 0) = $0 { true } else { false } }
    }

    func testHeaderLengthPastTheEnd() throws {
        let url = try write(SafetensorsBytes.file(header: "{}", declaredLength: 64))
        assertOpenFails(url, mentions: ["64"]) { if case .headerPastEnd(_, 64, 10) = $0 { true } else { false } }
    }

    func testAbsurdHeaderLength() throws {
        let url = try write(SafetensorsBytes.file(header: "{}", declaredLength: 1 << 40))
        assertOpenFails(url, mentions: ["\(1 << 40)"]) { if case .headerLengthAbsurd = $0 { true } else { false } }
    }

    func testHeaderThatIsNotJSON() throws {
        let url = try write(SafetensorsBytes.file(header: #"{"w": {"dtype": "F32", "shape": [1], "#))
        assertOpenFails(url, mentions: []) { if case .headerNotJSON = $0 { true } else { false } }
    }

    func testHeaderWithTheWrongStructure() throws {
        let array = try write(SafetensorsBytes.file(header: "[1, 2]"), name: "array.safetensors")
        assertOpenFails(array, mentions: []) { if case .malformedHeader(_, "", _) = $0 { true } else { false } }

        let noShape = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                                name: "noshape.safetensors")
        assertOpenFails(noShape, mentions: ["'w'", "shape"]) { if case .malformedHeader(_, "w", _) = $0 { true } else { false } }

        let negative = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                                                       data: [0, 0, 0, 0]), name: "negative.safetensors")
        assertOpenFails(negative, mentions: ["'w'"]) { if case .malformedHeader(_, "w", _) = $0 { true } else { false } }

        let badMetadata = try write(SafetensorsBytes.file(header: #"{"__metadata__":{"format":1}}"#), name: "meta.safetensors")
        assertOpenFails(badMetadata, mentions: ["__metadata__", "format"]) {
            if case .malformedHeader(_, "__metadata__", _) = $0 { true } else { false }
        }
    }

    func testUnknownDType() throws {
        let url = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]))
        assertOpenFails(url, mentions: ["'w'", "F33"]) { if case .unknownDType(_, "w", "F33") = $0 { true } else { false } }
    }

    func testOffsetsThatDoNotMatchShapeTimesDTypeSize() throws {
        // [2, 3] F32 needs 24 bytes; the offsets span 20.
        let url = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#,
                                                  data: [UInt8](repeating: 0, count: 20)))
        assertOpenFails(url, mentions: ["'w'", "24", "20"]) {
            if case .offsetsMismatch(_, "w", 24, 20) = $0 { true } else { false }
        }
    }

    func testOverlappingOffsets() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let url = try write(SafetensorsBytes.file(header: header, data: [UInt8](repeating: 0, count: 12)))
        assertOpenFails(url, mentions: ["'b'"]) { if case .offsetsNotContiguous(_, "b", 8, 4) = $0 { true } else { false } }
    }

    func testGapBetweenTensors() throws {
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        let url = try write(SafetensorsBytes.file(header: header, data: [UInt8](repeating: 0, count: 12)))
        assertOpenFails(url, mentions: ["'b'"]) { if case .offsetsNotContiguous(_, "b", 4, 8) = $0 { true } else { false } }
    }

    func testDataOffsetsPastTheEndOfTheFile() throws {
        let url = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#,
                                                  data: [UInt8](repeating: 0, count: 10)))
        assertOpenFails(url, mentions: ["'w'", "16", "10"]) { if case .truncated(_, "w", 16, 10) = $0 { true } else { false } }
    }

    func testFixtureCutShort() throws {
        let original = try Data(contentsOf: TestPaths.fixture("llama-tiny/model.safetensors"))
        let url = try write(original.prefix(original.count - 100))
        assertOpenFails(url, mentions: ["truncated"]) { if case .truncated = $0 { true } else { false } }
    }

    func testBytesThatNoTensorOwns() throws {
        let url = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                                                  data: [UInt8](repeating: 0, count: 6)))
        assertOpenFails(url, mentions: ["2 bytes"]) { if case .trailingBytes(_, 2) = $0 { true } else { false } }
    }

    func testMissingTensorOnLookup() throws {
        let url = try write(SafetensorsBytes.file(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                                                  data: [0, 0, 0, 0]))
        let file = try SafetensorsFile(url: url)
        assertCheckpointError(SafetensorsError.self, mentions: [url.path, "'v'"], { _ = try file.floats("v") }) {
            if case .missingTensor(_, "v") = $0 { true } else { false }
        }
        assertCheckpointError(SafetensorsError.self, mentions: [url.path, "'v'"], { _ = try file.info("v") }) {
            if case .missingTensor(_, "v") = $0 { true } else { false }
        }
    }

    func testFileThatDoesNotExist() {
        let url = directory.appendingPathComponent("absent.safetensors")
        assertOpenFails(url, mentions: []) { if case .cannotOpen = $0 { true } else { false } }
    }
}
