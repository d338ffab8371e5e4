import Tensor

/// Turns GGUF tensor data into Float32, with ggml's block layouts exactly (`ggml-quants.c`).
///
/// Each row of a tensor (`ne[0]` elements, a whole number of blocks) is independent, so whole tensors
/// are dequantized in parallel over rows, and each row can be written wherever its caller wants it
/// (the loader uses that to fill fused tensors and undo llama.cpp's rotary row permutation in one pass).
package enum GGUFDequantizer {
    /// Dequantizes `count` elements of `type` (a whole number of blocks) from `source` into `destination`.
    package static func dequantizeRow(_ type: GGUFTensorType, from source: UnsafeRawPointer, count: Int,
                                     into destination: FloatPointer) {
        let blocks = count / type.blockLayout.elements
        switch type {
        case .f32: UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .f16: convertHalves(source, destination, count: count)
        case .bf16: convertBFloat16s(source, destination, count: count)
        case .q8_0: dequantizeQ8_0(source, destination, blocks: blocks)
        case .q4_0: dequantizeQ4_0(source, destination, blocks: blocks)
        case .q4_1: dequantizeQ4_1(source, destination, blocks: blocks)
        case .q4_K: dequantizeQ4_K(source, destination, blocks: blocks)
        case .q6_K: dequantizeQ6_K(source, destination, blocks: blocks)
        default: preconditionFailure("GGUFDequantizer: \(type.name) is not dequantizable; check canDequantize first")
        }
    }

    /// Dequantizes `rows` rows of `rowLength` elements (rows `rowBytes` apart in `source`), in parallel;
    /// source row r lands at `destination + destinationRow(r) · rowLength`.
    package static func dequantizeRows(_ type: GGUFTensorType, from source: UnsafeRawPointer, rows: Int,
                                      rowLength: Int, rowBytes: Int, into destination: FloatPointer,
                                      destinationRow: (Int) -> Int = { $0 }) {
        precondition(type.canDequantize, "GGUFDequantizer: \(type.name) is not dequantizable")
        precondition(rowLength % type.blockLayout.elements == 0, "row length must be a whole number of blocks")
        Parallel.forRanges(rows, costPerItem: rowLength, minimumWork: 65_536) { range in
            for row in range {
                dequantizeRow(type, from: source + row * rowBytes, count: rowLength,
                              into: destination + destinationRow(row) * rowLength)
            }
        }
    }

    /// Reads the little-endian half at `pointer + offset` as Float32.
    @inline(__always)
    static func half(_ pointer: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfPrecision.float(fromHalfBits: UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    // y[count] = half(x[count])
    static func convertHalves(_ x: UnsafeRawPointer, _ y: FloatPointer, count: Int) {
        for i in 0..<count { y[i] = half(x, 2 * i) }
    }

    // y[count] = bf16(x[count])
    static func convertBFloat16s(_ x: UnsafeRawPointer, _ y: FloatPointer, count: Int) {
        for i in 0..<count {
            y[i] = HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: x.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        }
    }
}
