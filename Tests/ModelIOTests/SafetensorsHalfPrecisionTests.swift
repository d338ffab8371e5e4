import Foundation
import ModelIO
import TestSupport
import XCTest

/// F16 and BF16 against bit patterns worked out by hand (binary16: 1 sign, 5 exponent bits biased by 15,
/// 10 mantissa bits; bfloat16: the upper half of a float, 7 mantissa bits).
final class SafetensorsHalfPrecisionTests: XCTestCase {
    /// Values that binary16 represents exactly, with their bit patterns.
    private let exactHalves: [(Float, UInt16)] = [
        (1, 0x3C00), (-2, 0xC000), (0.5, 0x3800), (65504, 0x7BFF), (0x1p-14, 0x0400),
        (0x1p-24, 0x0001), (1023 * 0x1p-24, 0x03FF), (0, 0x0000), (-0.0, 0x8000), (.infinity, 0x7C00),
        (-.infinity, 0xFC00), (0.333251953125, 0x3555),
    ]

    /// Float inputs and the binary16 pattern they round to (nearest, ties to even).
    private let roundedHalves: [(Float, UInt16, String)] = [
        (1 + 0x1p-11, 0x3C00, "half-way between 1 and 1+2^-10: ties to the even 1"),
        (1 + 3 * 0x1p-11, 0x3C02, "half-way between 1+2^-10 and 1+2^-9: ties to the even 1+2^-9"),
        (1 + 0x1p-11 + 0x1p-20, 0x3C01, "just above half-way rounds up"),
        (0.1, 0x2E66, "0.1 = 1.6·2^-4, mantissa 614.4 → 614"),
        (65519, 0x7BFF, "below the half-way point to 65536 stays at the max 65504"),
        (65520, 0x7C00, "half-way to 65536 rounds (to even) past the max: infinity"),
        (1e6, 0x7C00, "overflow"),
        (-1e6, 0xFC00, "negative overflow"),
        (0x1p-25, 0x0000, "half of the smallest subnormal ties to the even 0"),
        (3 * 0x1p-26, 0x0001, "0.75 of the smallest subnormal rounds up"),
        (3 * 0x1p-25, 0x0002, "1.5 subnormal units tie to the even 2"),
        (0x1p-14 - 0x1p-25, 0x0400, "1023.5 subnormal units tie to the even 1024, the smallest normal"),
        (1e-8, 0x0000, "underflow to zero"),
        (-1e-8, 0x8000, "underflow keeps the sign"),
    ]

    /// Float inputs and the bfloat16 pattern they round to.
    private let roundedBFloat16s: [(Float, UInt16, String)] = [
        (1, 0x3F80, "exact"),
        (-3.140625, 0xC049, "exact: -(1 + 73/128)·2"),
        (1 + 0x1p-8, 0x3F80, "half-way between 1 and 1+2^-7: ties to the even 1"),
        (1 + 3 * 0x1p-8, 0x3F82, "half-way between 1+2^-7 and 1+2^-6: ties to the even 1+2^-6"),
        (1 + 0x1p-8 + 0x1p-20, 0x3F81, "just above half-way rounds up"),
        (.greatestFiniteMagnitude, 0x7F80, "the largest float rounds past bfloat16's max: infinity"),
        (-0.0, 0x8000, "negative zero"),
        (3.14159274, 0x4049, "pi: 0x40490FDB, lower half 0x0FDB < 0x8000 rounds down"),
    ]

    func testExactHalvesDecodeAndEncode() {
        for (value, bits) in exactHalves {
            XCTAssertEqual(HalfPrecision.float(fromHalfBits: bits).bitPattern, value.bitPattern, "decode \(bits)")
            XCTAssertEqual(HalfPrecision.halfBits(from: value), bits, "encode \(value)")
        }
        XCTAssertTrue(HalfPrecision.float(fromHalfBits: 0x7E00).isNaN)
        XCTAssertTrue(HalfPrecision.float(fromHalfBits: 0xFC01).isNaN)
        XCTAssertEqual(HalfPrecision.halfBits(from: .nan) & 0x7C00, 0x7C00)
        XCTAssertNotEqual(HalfPrecision.halfBits(from: .nan) & 0x03FF, 0)
    }

    func testHalfRoundingCases() {
        for (value, bits, why) in roundedHalves {
            XCTAssertEqual(HalfPrecision.halfBits(from: value), bits, why)
        }
    }

    func testBFloat16RoundingCases() {
        for (value, bits, why) in roundedBFloat16s {
            XCTAssertEqual(HalfPrecision.bfloat16Bits(from: value), bits, why)
        }
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0xC049), -3.140625)
        let nanBits = HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x7F80_0001))
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: nanBits).isNaN, "a NaN whose payload is in the low bits stays NaN")
    }

    /// The writer stores rounded 16-bit values and the reader widens them back.
    func testHalfAndBFloat16TensorsThroughAFile() throws {
        let url = try temporaryFolder("modelio-tests").appendingPathComponent("half.safetensors")
        let inputs = roundedHalves.map(\.0)
        let bfloatInputs = roundedBFloat16s.map(\.0)
        var writer = SafetensorsWriter()
        writer.addFloats("h", shape: [inputs.count], values: inputs, as: .f16)
        writer.addFloats("b", shape: [bfloatInputs.count], values: bfloatInputs, as: .bf16)
        try writer.write(to: url)

        let raw = try RawSafetensors(url: url)
        XCTAssertEqual(raw.entries["h"]?.dtype, "F16")
        XCTAssertEqual(raw.entries["b"]?.dtype, "BF16")
        XCTAssertEqual([UInt8](raw.data("h")), roundedHalves.flatMap { SafetensorsBytes.littleEndian($0.1) })
        XCTAssertEqual([UInt8](raw.data("b")), roundedBFloat16s.flatMap { SafetensorsBytes.littleEndian($0.1) })

        let file = try SafetensorsFile(url: url)
        let halves = try file.floats("h")
        // 0x3C02 = 1 + 2/1024, 0x3C01 = 1 + 1/1024, 0x2E66 = (1 + 614/1024)·2^-4, 0x0001 = 2^-24, 0x0400 = 2^-14.
        let expected: [Float] = [1, 1 + 0x1p-9, 1 + 0x1p-10, (1 + 614 / 1024) * 0x1p-4, 65504, .infinity, .infinity,
                                 -.infinity, 0, 0x1p-24, 2 * 0x1p-24, 0x1p-14, 0, -0.0]
        XCTAssertEqual(halves.map(\.bitPattern), expected.map(\.bitPattern))
        let bfloats = try file.floats("b")
        let expectedBFloats: [Float] = [1, -3.140625, 1, 1 + 0x1p-6, 1 + 0x1p-7, .infinity, -0.0, 3.140625]
        XCTAssertEqual(bfloats.map(\.bitPattern), expectedBFloats.map(\.bitPattern))
    }
}
