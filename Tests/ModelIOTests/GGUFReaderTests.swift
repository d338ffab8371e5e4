@testable import ModelIO
import XCTest

/// The container format on small files written here byte by byte from the GGUF specification.
final class GGUFReaderTests: XCTestCase {
    func testEveryMetadataValueTypeIncludingNestedArrays() throws {
        var writer = GGUFTestWriter()
        writer.metadata = [
            ("u8", .u8(200)), ("i8", .i8(-100)), ("u16", .u16(60_000)), ("i16", .i16(-30_000)),
            ("u32", .u32(4_000_000_000)), ("i32", .i32(-2_000_000_000)), ("f32", .f32(-1.25)), ("bool", .bool(true)),
            ("string", .string("héllo ✓")), ("u64", .u64(UInt64.max)), ("i64", .i64(Int64.min)), ("f64", .f64(0.1)),
            ("strings", .array(elementTypeID: 8, [.string("a"), .string(""), .string("Ġt")])),
            ("nested", .array(elementTypeID: 9, [.array(elementTypeID: 5, [.i32(1), .i32(-2)]),
                                                 .array(elementTypeID: 5, [])])),
            ("empty", .array(elementTypeID: 7, [])),
        ]
        let url = try writer.write()
        let file = try GGUFFile(url: url)
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.metadataKeys, writer.metadata.map(\.0))
        XCTAssertEqual(file.metadata["u8"], .uint8(200))
        XCTAssertEqual(file.metadata["i8"], .int8(-100))
        XCTAssertEqual(file.metadata["u16"], .uint16(60_000))
        XCTAssertEqual(file.metadata["i16"], .int16(-30_000))
        XCTAssertEqual(file.metadata["u32"], .uint32(4_000_000_000))
        XCTAssertEqual(file.metadata["i32"], .int32(-2_000_000_000))
        XCTAssertEqual(file.metadata["f32"], .float32(-1.25))
        XCTAssertEqual(file.metadata["bool"], .bool(true))
        XCTAssertEqual(file.metadata["string"], .string("héllo ✓"))
        XCTAssertEqual(file.metadata["u64"], .uint64(UInt64.max))
        XCTAssertEqual(file.metadata["i64"], .int64(Int64.min))
        XCTAssertEqual(file.metadata["f64"], .float64(0.1))
        XCTAssertEqual(try file.optionalStringArray("strings"), ["a", "", "Ġt"])
        XCTAssertEqual(file.metadata["nested"], .array(elementType: .array, values: [
            .array(elementType: .int32, values: [.int32(1), .int32(-2)]), .array(elementType: .int32, values: [])]))
        XCTAssertEqual(file.metadata["empty"], .array(elementType: .bool, values: []))
        XCTAssertEqual(try file.int("u32"), 4_000_000_000)
        XCTAssertEqual(try file.int("i8"), -100)
        XCTAssertNil(file.metadata["u64"]?.intValue, "UInt64.max does not fit an Int")
        assertGGUFError(try file.string("u8"), naming: url, "wrong value type") {
            if case .wrongValueType(_, "u8", "string", "uint8") = $0 { return true } else { return false }
        }
        assertGGUFError(try file.int("absent"), naming: url, "missing key") {
            if case .missingKey(_, "absent") = $0 { return true } else { return false }
        }
        XCTAssertTrue(file.tensors.isEmpty)
    }

    func testVersion2WithCustomAlignmentAndTensorIndex() throws {
        var writer = GGUFTestWriter()
        writer.version = 2
        writer.alignment = 64
        writer.metadata = [("general.alignment", .u32(64)), ("general.architecture", .string("llama"))]
        let matrix: [Float] = [1, 2, 3, 4, 5, 6]
        let vector: [Float] = [-1, -2, -3, -4, -5]
        writer.tensors = [.f32("a.weight", shape: [2, 3], values: matrix), .f32("b.weight", shape: [5], values: vector)]
        let url = try writer.write()
        let file = try GGUFFile(url: url)
        XCTAssertEqual(file.version, 2)
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset % 64, 0)
        XCTAssertEqual(file.tensors.map(\.name), ["a.weight", "b.weight"])
        let a = try XCTUnwrap(file.tensor(named: "a.weight"))
        XCTAssertEqual(a.dimensions, [3, 2], "ne[0] is the number of columns")
        XCTAssertEqual(a.shape, [2, 3])
        XCTAssertEqual(a.rowLength, 3)
        XCTAssertEqual(a.rowCount, 2)
        XCTAssertEqual(a.type, .f32)
        XCTAssertEqual(file.tensor(named: "b.weight")?.offset, 64, "second tensor starts at the next 64-byte boundary")
        XCTAssertEqual(try file.dequantize("a.weight"), matrix)
        XCTAssertEqual(try file.dequantize("b.weight"), vector)
        XCTAssertEqual(try file.architecture(), "llama")
    }

    func testDefaultAlignmentIs32() throws {
        var writer = GGUFTestWriter()
        writer.tensors = [.f32("x", shape: [3], values: [1, 2, 3]), .f32("y", shape: [1], values: [7])]
        let file = try GGUFFile(url: try writer.write())
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(file.dataOffset % 32, 0)
        XCTAssertEqual(file.tensor(named: "y")?.offset, 32)
        XCTAssertEqual(try file.dequantize("y"), [7])
    }
}
