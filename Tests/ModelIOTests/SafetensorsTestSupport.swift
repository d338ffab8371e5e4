import Foundation
import ModelIO
import TestSupport
import XCTest

/// A deliberately separate, minimal safetensors parser (Foundation JSON + Data), so tests check the
/// project's reader and writer against something they do not share code with.
struct RawSafetensors {
    struct Entry {
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    let headerLength: Int
    let headerText: String
    let metadata: [String: String]?
    let entries: [String: Entry]
    let bytes: Data

    init(url: URL) throws {
        bytes = try Data(contentsOf: url)
        headerLength = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = bytes.subdata(in: 8..<(8 + headerLength))
        headerText = String(decoding: header, as: UTF8.self)
        let root = try JSONSerialization.jsonObject(with: header) as! [String: Any]
        metadata = root["__metadata__"] as? [String: String]
        var entries: [String: Entry] = [:]
        for (key, value) in root where key != "__metadata__" {
            let fields = value as! [String: Any]
            let offsets = fields["data_offsets"] as! [Int]
            entries[key] = Entry(dtype: fields["dtype"] as! String, shape: fields["shape"] as! [Int],
                                 begin: offsets[0], end: offsets[1])
        }
        self.entries = entries
    }

    /// The raw data bytes of `key`.
    func data(_ key: String) -> Data {
        let entry = entries[key]!
        return bytes.subdata(in: (8 + headerLength + entry.begin)..<(8 + headerLength + entry.end))
    }

    /// An F32 tensor's values, decoded byte by byte.
    func f32(_ key: String) -> [Float] {
        let raw = [UInt8](data(key))
        return stride(from: 0, to: raw.count, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
    }
}

/// Builders for hand-made (often broken) safetensors files.
enum SafetensorsBytes {
    /// 8-byte little-endian length, then `header` verbatim, then `data`.
    static func file(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        var out = Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) })
        out.append(contentsOf: headerBytes)
        out.append(contentsOf: data)
        return out
    }

    static func littleEndian(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    static func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func littleEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
    static func f32(_ values: [Float]) -> [UInt8] { values.flatMap { littleEndian($0.bitPattern) } }
}

/// Asserts that `body` throws an error of type `E` for which `matches` holds, and that its message is one
/// line mentioning every string in `mentions`.
func assertCheckpointError<E: CodedError>(_ errorType: E.Type, mentions: [String], file: StaticString = #filePath,
                                          line: UInt = #line, _ body: () throws -> Void,
                                          matches: (E.Code) -> Bool) {
    do {
        try body()
        XCTFail("expected \(E.self) but nothing was thrown", file: file, line: line)
    } catch let error as E {
        XCTAssertTrue(matches(error.code), "wrong case: \(error)", file: file, line: line)
        let message = error.description
        XCTAssertFalse(message.contains("\n"), "message is not one line: \(message)", file: file, line: line)
        for needle in mentions {
            XCTAssertTrue(message.contains(needle), "message '\(message)' does not mention '\(needle)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected \(E.self), got \(type(of: error)): \(error)", file: file, line: line)
    }
}

/// A checkpoint error: a struct over its code, which tests match by case.
protocol CodedError: Error, CustomStringConvertible {
    associatedtype Code
    var code: Code { get }
}

extension SafetensorsError: CodedError {}
extension HFCheckpointError: CodedError {}
