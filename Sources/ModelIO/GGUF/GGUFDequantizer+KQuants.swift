import Tensor

/// The 256-element super-block formats: Q4_K and Q6_K (`ggml-quants.c`, QK_K = 256).
extension GGUFDequantizer {
    /// Q4_K super-block (144 bytes): f16 d, f16 dmin, u8 scales[12] (eight 6-bit scales and eight 6-bit
    /// mins), u8 qs[128]. Each 64-element group j uses sub-blocks 2j (low nibbles of qs[32j..<32j+32])
    /// and 2j+1 (high nibbles); y = d·scale·q − dmin·min.
    static func dequantizeQ4_K(_ x: UnsafeRawPointer, _ y: FloatPointer, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 144
            let d = half(block, 0), dmin = half(block, 2)
            let scales = (block + 4).assumingMemoryBound(to: UInt8.self)  // [12]
            let qs = (block + 16).assumingMemoryBound(to: UInt8.self)     // [128]
            let out = y + b * 256                                        // [256]
            for group in 0..<4 {
                let (scaleLow, minLow) = q4KScaleMin(2 * group, scales)
                let (scaleHigh, minHigh) = q4KScaleMin(2 * group + 1, scales)
                let d1 = d * Float(scaleLow), m1 = dmin * Float(minLow)
                let d2 = d * Float(scaleHigh), m2 = dmin * Float(minHigh)
                let q = qs + 32 * group, o = out + 64 * group
                for l in 0..<32 {
                    o[l] = d1 * Float(q[l] & 0x0F) - m1
                    o[l + 32] = d2 * Float(q[l] >> 4) - m2
                }
            }
        }
    }

    /// ggml's `get_scale_min_k4`: the 6-bit scale and min of sub-block `j` (0..<8) from the 12 packed bytes.
    @inline(__always)
    static func q4KScaleMin(_ j: Int, _ q: UnsafePointer<UInt8>) -> (scale: UInt8, min: UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    /// Q6_K super-block (210 bytes): u8 ql[128] (low 4 bits), u8 qh[64] (high 2 bits), i8 scales[16],
    /// f16 d. Two halves of 128 elements; in each, element l + 32k (k = 0..<4) takes its low bits from
    /// ql[l + 32·(k & 1)] (low nibble for k < 2, high nibble otherwise) and its high bits from
    /// qh[l] >> 2k; y = d · scales[l/16 + 2k] · (q − 32).
    static func dequantizeQ6_K(_ x: UnsafeRawPointer, _ y: FloatPointer, blocks: Int) {
        for b in 0..<blocks {
            let block = x + b * 210
            let d = half(block, 208)
            for halfIndex in 0..<2 {
                let ql = (block + 64 * halfIndex).assumingMemoryBound(to: UInt8.self)        // [64]
                let qh = (block + 128 + 32 * halfIndex).assumingMemoryBound(to: UInt8.self)  // [32]
                let sc = (block + 192 + 8 * halfIndex).assumingMemoryBound(to: Int8.self)    // [8]
                let out = y + b * 256 + 128 * halfIndex                                     // [128]
                for l in 0..<32 {
                    let s = l / 16
                    let q1 = Int32((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) - 32
                    let q2 = Int32((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32
                    let q3 = Int32((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                    let q4 = Int32((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                    out[l] = d * Float(sc[s]) * Float(q1)
                    out[l + 32] = d * Float(sc[s + 2]) * Float(q2)
                    out[l + 64] = d * Float(sc[s + 4]) * Float(q3)
                    out[l + 96] = d * Float(sc[s + 6]) * Float(q4)
                }
            }
        }
    }
}
