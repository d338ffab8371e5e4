import CKernelSupport
import Checksum
import Foundation
import RunLogs
import TestSupport
import XCTest

/// Event files read back record by record with both CRCs checked, and their `Event` protobufs decoded by
/// a reader written here from the protobuf spec (it shares no code with the writer).
final class TensorBoardEventWriterTests: XCTestCase {
    func testCRC32CInstructionAndTableAgreeAtEveryAlignmentAndLength() {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<40_009).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                // from 12,288 bytes on (three 4 KiB blocks) the instruction runs three interleaved streams
                for length in [0, 1, 7, 8, 9, 31, 32, 33, 1000, 4090 - start, 12_287, 12_288, 12_289, 24_576 + 5, 40_000 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    XCTAssertEqual(CRC32C.checksum(slice), rlhf_crc32c_portable(0, slice.baseAddress, length), "\(start)+\(length)")
                }
            }
            // continuing a checksum over two pieces equals one pass
            let first = UnsafeRawBufferPointer(rebasing: all[0..<1234]), rest = UnsafeRawBufferPointer(rebasing: all[1234...])
            XCTAssertEqual(CRC32C.checksum(rest, continuing: CRC32C.checksum(first)), CRC32C.checksum(all))
        }
    }

    func testCRC32CKnownVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
    }

    /// One decoded scalar event.
    struct Scalar: Equatable { let step: Int64; let tag: String; let value: Float }

    func testRecordsReadBackWithValidCRCs() throws {
        let dir = temporaryPath("tb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TensorBoardEventWriter(directory: dir)
        try writer.write(step: 1, scalars: ["env/reward_mean": 0.25, "objective/kl": -1.5])
        try writer.write(step: 2, scalars: ["env/reward_mean": 0.75])
        XCTAssertTrue(writer.url.lastPathComponent.hasPrefix("events.out.tfevents."))
        let records = try Self.records(Data(contentsOf: writer.url))
        XCTAssertEqual(records.count, 4)
        XCTAssertEqual(Self.fileVersion(records[0]), "brain.Event:2")
        XCTAssertEqual(records.dropFirst().map(Self.scalar), [
            Scalar(step: 1, tag: "env/reward_mean", value: 0.25), Scalar(step: 1, tag: "objective/kl", value: -1.5),
            Scalar(step: 2, tag: "env/reward_mean", value: 0.75),
        ])
    }

    func testACorruptedByteFailsItsCRC() throws {
        let dir = temporaryPath("tb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try TensorBoardEventWriter(directory: dir)
        try writer.write(step: 7, scalars: ["x": 1])
        var bytes = [UInt8](try Data(contentsOf: writer.url))
        bytes[bytes.count - 6] ^= 0x01
        XCTAssertThrowsError(try Self.records(Data(bytes)))
    }

    // MARK: an independent reader

    struct BadRecord: Error {}

    static func masked(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }

    static func records(_ data: Data) throws -> [[UInt8]] {
        let b = [UInt8](data)
        var i = 0, out: [[UInt8]] = []
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) } }
        while i < b.count {
            guard i + 12 <= b.count else { throw BadRecord() }
            let length = Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << (8 * $1) })
            guard masked(CRC32C.checksum(b[i..<(i + 8)])) == u32(i + 8) else { throw BadRecord() }
            let start = i + 12
            guard start + length + 4 <= b.count else { throw BadRecord() }
            let payload = Array(b[start..<(start + length)])
            guard masked(CRC32C.checksum(payload)) == u32(start + length) else { throw BadRecord() }
            out.append(payload)
            i = start + length + 4
        }
        return out
    }

    /// Fields of a protobuf message: number → (wire type, raw value or payload).
    static func fields(_ b: [UInt8]) -> [(Int, UInt64, [UInt8])] {
        var i = 0, out: [(Int, UInt64, [UInt8])] = []
        func varint() -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true { let x = b[i]; i += 1; v |= UInt64(x & 0x7F) << shift; if x < 0x80 { return v }; shift += 7 }
        }
        while i < b.count {
            let key = varint(), number = Int(key >> 3), wire = key & 7
            switch wire {
            case 0: out.append((number, varint(), []))
            case 1: out.append((number, 0, Array(b[i..<(i + 8)]))); i += 8
            case 5: out.append((number, 0, Array(b[i..<(i + 4)]))); i += 4
            default: let n = Int(varint()); out.append((number, 0, Array(b[i..<(i + n)]))); i += n
            }
        }
        return out
    }

    static func fileVersion(_ event: [UInt8]) -> String? {
        fields(event).first { $0.0 == 3 }.map { String(decoding: $0.2, as: UTF8.self) }
    }

    static func scalar(_ event: [UInt8]) -> Scalar {
        let f = fields(event)
        let step = Int64(bitPattern: f.first { $0.0 == 2 }?.1 ?? 0)
        let summary = fields(f.first { $0.0 == 5 }!.2)
        let value = fields(summary.first { $0.0 == 1 }!.2)
        let tag = String(decoding: value.first { $0.0 == 1 }!.2, as: UTF8.self)
        let raw = value.first { $0.0 == 2 }!.2
        let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[$1]) << (8 * $1) }
        return Scalar(step: step, tag: tag, value: Float(bitPattern: bits))
    }
}
