import Tensor

/// The 32-element block formats: Q8_0, Q4_0, Q4_1.
extension GGUFDequantizer {
    /// Q8_0 block (34 bytes): f16 d, int8 q[32]; y = q · d.
    static func dequantizeQ8_0(_ x: UnsafeRawPointer, _ y: FloatPointer, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 34
            let d = half(block, 0)
            let q = (block + 2).assumingMemoryBound(to: Int8.self)  // [32]
            let out = y + b * 32                                   // [32]
            for j in 0..<32 { out[j] = Float(q[j]) * d }
        }
    }

    /// Q4_0 block (18 bytes): f16 d, u8 qs[16]; low nibbles are elements 0..15, high nibbles 16..31;
    /// y = (q − 8) · d.
    static func dequantizeQ4_0(_ x: UnsafeRawPointer, _ y: FloatPointer, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 18
            let d = half(block, 0)
            let qs = (block + 2).assumingMemoryBound(to: UInt8.self)  // [16]
            let out = y + b * 32                                     // [32]
            for j in 0..<16 {
                out[j] = Float(Int32(qs[j] & 0x0F) - 8) * d
                out[j + 16] = Float(Int32(qs[j] >> 4) - 8) * d
            }
        }
    }

    /// Q4_1 block (20 bytes): f16 d, f16 m, u8 qs[16]; nibbles as in Q4_0; y = q · d + m.
    static func dequantizeQ4_1(_ x: UnsafeRawPointer, _ y: FloatPointer, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 20
            let d = half(block, 0), m = half(block, 2)
            let qs = (block + 4).assumingMemoryBound(to: UInt8.self)  // [16]
            let out = y + b * 32                                     // [32]
            for j in 0..<16 {
                out[j] = Float(qs[j] & 0x0F) * d + m
                out[j + 16] = Float(qs[j] >> 4) * d + m
            }
        }
    }
}
