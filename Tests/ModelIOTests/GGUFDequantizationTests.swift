@testable import ModelIO
import XCTest

/// Each block format on blocks written here from chosen values by the format's definition
/// (ggml-common.h / ggml-quants.c); expected floats come from the format's formula.
final class GGUFDequantizationTests: XCTestCase {
    // IEEE half bit patterns of the scales used below
    let half1: UInt16 = 0x3C00, halfMinus2: UInt16 = 0xC000, halfHalf: UInt16 = 0x3800, halfMinusHalf: UInt16 = 0xB800
    let halfQuarter: UInt16 = 0x3400, halfMinus1_5: UInt16 = 0xBE00, halfMinus3: UInt16 = 0xC200, half2: UInt16 = 0x4000
    let halfMinusEighth: UInt16 = 0xB000, halfMinusSixteenth: UInt16 = 0xAC00, halfThreeQuarters: UInt16 = 0x3A00

    private func dequantize(_ type: GGUFTensorType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { GGUFDequantizer.dequantizeRow(type, from: raw.baseAddress!, count: count, into: $0.baseAddress!) }
        }
        return out
    }

    func testF32CopiesBitsExactly() {
        let values: [Float] = [1.5, -0.0, .infinity, -3.25e-7, 123456.789]
        var bytes: [UInt8] = []
        for v in values { bytes.appendGGUFInteger(v.bitPattern) }
        XCTAssertEqual(dequantize(.f32, bytes, count: 5).map(\.bitPattern), values.map(\.bitPattern))
    }

    func testF16KnownBitPatterns() {
        let cases: [(UInt16, Float)] = [
            (0x3C00, 1.0), (0xC000, -2.0), (0x3555, 0.333251953125), (0x7BFF, 65504), (0x0001, 0x1p-24),
            (0x03FF, 1023 * 0x1p-24), (0x0400, 0x1p-14), (0x8000, -0.0), (0x7C00, .infinity), (0xFC00, -.infinity),
        ]
        var bytes: [UInt8] = []
        for (bits, _) in cases { bytes.appendGGUFInteger(bits) }
        let out = dequantize(.f16, bytes, count: cases.count)
        for (value, (bits, expected)) in zip(out, cases) {
            XCTAssertEqual(value.bitPattern, expected.bitPattern, "half 0x\(String(bits, radix: 16))")
        }
        XCTAssertTrue(HalfPrecision.float(fromHalfBits: 0x7E00).isNaN)
    }

    func testBF16IsUpperHalfOfFloat32() {
        var bytes: [UInt8] = []
        for bits: UInt16 in [0x3F80, 0xC0A0, 0x3EAA] { bytes.appendGGUFInteger(bits) }
        XCTAssertEqual(dequantize(.bf16, bytes, count: 3), [1.0, -5.0, 0.33203125])
    }

    func testQ8_0TwoBlocksWithNegativeScale() {
        let q0: [Int8] = (0..<32).map { Int8($0 * 7 - 100) }
        let q1: [Int8] = (0..<32).map { Int8(127 - $0 * 8) }
        var bytes: [UInt8] = []
        bytes.appendGGUFInteger(halfMinusHalf); bytes += q0.map { UInt8(bitPattern: $0) }
        bytes.appendGGUFInteger(halfThreeQuarters); bytes += q1.map { UInt8(bitPattern: $0) }
        XCTAssertEqual(bytes.count, 2 * 34)
        let expected = q0.map { Float($0) * -0.5 } + q1.map { Float($0) * 0.75 }
        XCTAssertEqual(dequantize(.q8_0, bytes, count: 64), expected)
    }

    /// Packs 32 nibbles (0...15) the ggml way: byte j = q[j] | q[j + 16] << 4.
    private func packNibbles(_ q: [UInt8]) -> [UInt8] { (0..<16).map { q[$0] | (q[$0 + 16] << 4) } }

    func testQ4_0LowNibblesFirstThenHighWithNegativeScale() {
        let q0: [UInt8] = (0..<32).map { UInt8(($0 * 5) % 16) }
        let q1: [UInt8] = (0..<32).map { UInt8(15 - $0 % 16) }
        var bytes: [UInt8] = []
        bytes.appendGGUFInteger(halfQuarter); bytes += packNibbles(q0)
        bytes.appendGGUFInteger(halfMinus1_5); bytes += packNibbles(q1)
        XCTAssertEqual(bytes.count, 2 * 18)
        let expected = q0.map { (Float($0) - 8) * 0.25 } + q1.map { (Float($0) - 8) * -1.5 }
        XCTAssertEqual(dequantize(.q4_0, bytes, count: 64), expected)
    }

    func testQ4_1ScaleAndMinIncludingNegatives() {
        let q0: [UInt8] = (0..<32).map { UInt8(($0 * 3 + 1) % 16) }
        let q1: [UInt8] = (0..<32).map { UInt8(($0 * 11) % 16) }
        var bytes: [UInt8] = []
        bytes.appendGGUFInteger(halfHalf); bytes.appendGGUFInteger(halfMinus3); bytes += packNibbles(q0)
        bytes.appendGGUFInteger(halfMinusEighth); bytes.appendGGUFInteger(half2); bytes += packNibbles(q1)
        XCTAssertEqual(bytes.count, 2 * 20)
        let expected = q0.map { Float($0) * 0.5 - 3 } + q1.map { Float($0) * -0.125 + 2 }
        XCTAssertEqual(dequantize(.q4_1, bytes, count: 64), expected)
    }

    func testQ4_KSixBitScalesAndMins() {
        // 8 sub-blocks of 32; scales and mins use all 6 bits so the packed high bits matter
        let scales: [UInt8] = [1, 63, 17, 40, 33, 62, 5, 48]
        let mins: [UInt8] = [0, 12, 63, 7, 50, 1, 36, 21]
        let q: [UInt8] = (0..<256).map { UInt8(($0 * 7 + $0 / 32) % 16) }
        let d: Float = 0.5, dmin: Float = -0.25   // a negative dmin turns the mins into positive offsets
        // 12 packed bytes, as ggml's quantize_row_q4_K writes them
        var packed = [UInt8](repeating: 0, count: 12)
        for j in 0..<8 {
            if j < 4 {
                packed[j] = scales[j]; packed[j + 4] = mins[j]
            } else {
                packed[j + 4] = (scales[j] & 0xF) | ((mins[j] & 0xF) << 4)
                packed[j - 4] |= (scales[j] >> 4) << 6
                packed[j] |= (mins[j] >> 4) << 6
            }
        }
        // qs: each 64-element group g holds sub-block 2g in low nibbles and 2g+1 in high nibbles
        var qs = [UInt8](repeating: 0, count: 128)
        for e in 0..<256 {
            let g = e / 64, w = e % 64
            qs[32 * g + w % 32] |= w < 32 ? q[e] : q[e] << 4
        }
        var bytes: [UInt8] = []
        bytes.appendGGUFInteger(halfHalf); bytes.appendGGUFInteger(UInt16(0xB400)) // d = 0.5, dmin = -0.25
        bytes += packed + qs
        XCTAssertEqual(bytes.count, 144)
        let expected: [Float] = (0..<256).map { e in
            let sub = e / 32
            return d * Float(scales[sub]) * Float(q[e]) - dmin * Float(mins[sub])
        }
        XCTAssertEqual(dequantize(.q4_K, bytes, count: 256), expected)
    }

    func testQ6_KSixBitQuantsAndSignedScales() {
        let q: [UInt8] = (0..<256).map { UInt8(($0 * 37 + 11) % 64) }
        let scales: [Int8] = [3, -7, 127, -128, 1, 0, -1, 64, 20, -33, 5, 9, -90, 45, 2, -2]
        let d: Float = -0.0625
        // ql/qh as ggml's quantize_row_q6_K writes them, for each half of 128 elements
        var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
        for h in 0..<2 {
            let L = Array(q[128 * h..<128 * (h + 1)])
            for l in 0..<32 {
                ql[64 * h + l] = (L[l] & 0xF) | ((L[l + 64] & 0xF) << 4)
                ql[64 * h + l + 32] = (L[l + 32] & 0xF) | ((L[l + 96] & 0xF) << 4)
                var high: UInt8 = 0
                for k in 0..<4 { high |= (L[l + 32 * k] >> 4) << (2 * k) }  // bits 2k..2k+1 of element l + 32k
                qh[32 * h + l] = high
            }
        }
        var bytes = ql + qh + scales.map { UInt8(bitPattern: $0) }
        bytes.appendGGUFInteger(halfMinusSixteenth)
        XCTAssertEqual(bytes.count, 210)
        let expected: [Float] = (0..<256).map { e in d * Float(scales[e / 16]) * Float(Int(q[e]) - 32) }
        XCTAssertEqual(dequantize(.q6_K, bytes, count: 256), expected)
    }

    /// Blocks of pseudo-random bytes (byte i = (37i + 11) mod 251, scale fields set to finite halves),
    /// checked against values printed by llama.cpp's own Python package (`gguf` 0.19,
    /// `gguf.quants.dequantize`) for the same bytes.
    func testMatchesGGUFPyReferenceOnPseudoRandomBlocks() {
        func block(_ count: Int, halves: [(Int, UInt16)]) -> [UInt8] {
            var bytes = (0..<count).map { UInt8(($0 * 37 + 11) % 251) }
            for (offset, bits) in halves { bytes[offset] = UInt8(bits & 0xFF); bytes[offset + 1] = UInt8(bits >> 8) }
            return bytes
        }
        let cases: [(GGUFTensorType, [UInt8], [(Int, Float)])] = [
            (.q4_K, block(144, halves: [(0, 0x2E66), (2, 0xA8F5)]),
             [(0, 17.6649169921875), (5, 11.4664306640625), (31, 14.565673828125), (32, 3.522491455078125),
              (63, 7.121612548828125), (64, 57.46343994140625), (100, 22.405242919921875), (127, 20.505706787109375),
              (128, 9.2625732421875), (150, 18.0604248046875), (191, 30.593353271484375), (192, 66.16213989257812),
              (200, 48.466461181640625), (255, 1.3941650390625)]),
            (.q6_K, block(210, halves: [(208, 0x2A3D)]),
             [(0, -21.200408935546875), (5, 84.8016357421875), (31, -36.260009765625), (32, 4.629974365234375),
              (63, -8.48016357421875), (64, -0.0), (100, -31.09393310546875), (127, -50.929718017578125),
              (128, -48.3466796875), (150, -89.04171752929688), (191, 20.2744140625), (192, -12.720245361328125),
              (200, -31.09393310546875), (255, 113.06884765625)]),
            (.q4_1, block(20, halves: [(0, 0x2E66), (2, 0xA8F5)]),
             [(0, 1.460906982421875), (1, 0.361175537109375), (15, 0.361175537109375), (16, 0.861053466796875),
              (17, 1.160980224609375), (31, 1.260955810546875)]),
            (.q4_0, block(18, halves: [(0, 0xAE66)]),
             [(0, 0.2999267578125), (1, -0.199951171875), (15, -0.199951171875), (16, 0.2999267578125),
              (17, 0.0999755859375), (31, -0.0)]),
            (.q8_0, block(34, halves: [(0, 0x2A3D)]),
             [(0, 4.142608642578125), (1, 5.94586181640625), (15, -5.75091552734375), (16, -3.947662353515625),
              (17, -2.1444091796875), (31, -1.3646240234375)]),
        ]
        for (type, bytes, expected) in cases {
            let out = dequantize(type, bytes, count: type.blockLayout.elements)
            for (index, value) in expected {
                XCTAssertEqual(out[index], value, accuracy: 1e-5 * max(1, abs(value)), "\(type.name)[\(index)]")
            }
        }
    }

    func testRowsLandWhereTheRowMapSays() {
        // 3 rows of one Q8_0 block each, written in reverse row order
        var bytes: [UInt8] = []
        for row in 0..<3 {
            bytes.appendGGUFInteger(half1)
            for j in 0..<32 { bytes.append(UInt8(bitPattern: Int8(row * 32 + j - 48))) }
        }
        var out = [Float](repeating: .nan, count: 96)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer {
                GGUFDequantizer.dequantizeRows(.q8_0, from: raw.baseAddress!, rows: 3, rowLength: 32, rowBytes: 34,
                                               into: $0.baseAddress!, destinationRow: { 2 - $0 })
            }
        }
        var expected: [Float] = []
        for row in [2, 1, 0] { for j in 0..<32 { expected.append(Float(row * 32 + j - 48)) } }
        XCTAssertEqual(out, expected)
    }

    func testBlockLayoutsMatchGGML() {
        XCTAssertTrue(GGUFTensorType.q8_0.blockLayout == (32, 34))
        XCTAssertTrue(GGUFTensorType.q4_0.blockLayout == (32, 18))
        XCTAssertTrue(GGUFTensorType.q4_1.blockLayout == (32, 20))
        XCTAssertTrue(GGUFTensorType.q4_K.blockLayout == (256, 144))
        XCTAssertTrue(GGUFTensorType.q6_K.blockLayout == (256, 210))
        XCTAssertFalse(GGUFTensorType.q5_K.canDequantize)
    }
}
