import Foundation
import ModelIO
import TestSupport
import XCTest

final class SafetensorsReaderTests: XCTestCase {
    func testFixtureIndexAndValuesMatchAnIndependentParse() throws {
        let url = TestPaths.fixture("gpt2-tiny/model.safetensors")
        let file = try SafetensorsFile(url: url)
        let raw = try RawSafetensors(url: url)

        XCTAssertEqual(file.tensorNames, raw.entries.keys.sorted())
        XCTAssertEqual(file.metadata, ["format": "pt"])
        let (dtype, shape) = try file.info("transformer.wte.weight")
        XCTAssertEqual(dtype, .f32)
        XCTAssertEqual(shape, [1000, 64])
        for name in file.tensorNames {
            let values = try file.floats(name)
            XCTAssertEqual(values.map(\.bitPattern), raw.f32(name).map(\.bitPattern), name)
        }
        var into = [Float](repeating: .nan, count: 64)
        try into.withUnsafeMutableBufferPointer {
            try file.readFloats("transformer.ln_f.bias", into: $0.baseAddress!, count: 64)
        }
        XCTAssertEqual(into.map(\.bitPattern), raw.f32("transformer.ln_f.bias").map(\.bitPattern))
    }

    /// Every readable dtype, at unaligned offsets, with bit patterns whose values are known by hand.
    func testHandBuiltFileWithEveryReadableDType() throws {
        let f32: [UInt8] = SafetensorsBytes.f32([1.5, -2])
        // F16: 1, -2, smallest subnormal 2^-24, largest subnormal 1023·2^-24, max 65504, +inf,
        // 0x3555 = (1 + 341/1024)·2^-2, -0, NaN.
        let halfBits: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0x3555, 0x8000, 0x7E00]
        // BF16: 1, -(1 + 73/128)·2 = -3.140625, the float subnormal 2^-133.
        let bfloatBits: [UInt16] = [0x3F80, 0xC049, 0x0001]
        let f16 = halfBits.flatMap(SafetensorsBytes.littleEndian)
        let bf16 = bfloatBits.flatMap(SafetensorsBytes.littleEndian)
        let i32 = [UInt32(bitPattern: -5), 123].flatMap(SafetensorsBytes.littleEndian)
        let i64 = [UInt64(bitPattern: -1), 1 << 40, 7].flatMap(SafetensorsBytes.littleEndian)
        let scalar = SafetensorsBytes.f32([0.1])
        var offset = 0
        func span(_ bytes: [UInt8]) -> String { defer { offset += bytes.count }; return "[\(offset),\(offset + bytes.count)]" }
        let header = """
            {"__metadata__":{"note":"hand made"},\
            "f32":{"dtype":"F32","shape":[2],"data_offsets":\(span(f32))},\
            "f16":{"dtype":"F16","shape":[3,3],"data_offsets":\(span(f16))},\
            "bf16":{"dtype":"BF16","shape":[3],"data_offsets":\(span(bf16))},\
            "i32":{"dtype":"I32","shape":[2],"data_offsets":\(span(i32))},\
            "i64":{"dtype":"I64","shape":[3],"data_offsets":\(span(i64))},\
            "scalar":{"dtype":"F32","shape":[],"data_offsets":\(span(scalar))}}
            """
        let url = try temporaryFolder("modelio-tests").appendingPathComponent("hand.safetensors")
        try SafetensorsBytes.file(header: header, data: f32 + f16 + bf16 + i32 + i64 + scalar).write(to: url)

        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(file.tensorNames, ["bf16", "f16", "f32", "i32", "i64", "scalar"])
        XCTAssertEqual(file.metadata, ["note": "hand made"])
        XCTAssertEqual(try file.floats("f32"), [1.5, -2])
        let halves = try file.floats("f16")
        XCTAssertEqual(Array(halves[0..<7]), [1, -2, 0x1p-24, 1023 * 0x1p-24, 65504, .infinity, 0.333251953125])
        XCTAssertEqual(halves[7].bitPattern, (-0.0 as Float).bitPattern)
        XCTAssertTrue(halves[8].isNaN)
        XCTAssertEqual(try file.info("f16").shape, [3, 3])
        XCTAssertEqual(try file.floats("bf16"), [1, -3.140625, 0x1p-133])
        XCTAssertEqual(try file.int64s("i32"), [-5, 123])
        XCTAssertEqual(try file.int64s("i64"), [-1, 1 << 40, 7])
        XCTAssertEqual(try file.info("scalar").shape, [])
        XCTAssertEqual(try file.floats("scalar"), [0.1])
    }

    func testReadingAsTheWrongKindOrCountIsAnError() throws {
        let header = #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}}"#
        let url = try temporaryFolder("modelio-tests").appendingPathComponent("kinds.safetensors")
        try SafetensorsBytes.file(header: header, data: [UInt8](repeating: 0, count: 24)).write(to: url)
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(try file.info("d").dtype, .f64)

        assertCheckpointError(SafetensorsError.self, mentions: [url.path, "'ids'", "I64"], { _ = try file.floats("ids") }) {
            if case .unsupportedConversion = $0 { return true } else { return false }
        }
        assertCheckpointError(SafetensorsError.self, mentions: [url.path, "'w'", "F32"], { _ = try file.int64s("w") }) {
            if case .unsupportedConversion = $0 { return true } else { return false }
        }
        var three = [Float](repeating: 0, count: 3)
        assertCheckpointError(SafetensorsError.self, mentions: [url.path, "'w'", "2", "3"], {
            try three.withUnsafeMutableBufferPointer { try file.readFloats("w", into: $0.baseAddress!, count: 3) }
        }) {
            if case .countMismatch(_, _, 2, 3) = $0 { return true } else { return false }
        }
    }
}
