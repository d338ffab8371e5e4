/// Unaligned 8-float loads and stores for the SIMD kernels, with partial forms for row tails.
///
/// Kernels run a main loop over full vectors and send the last `count % 8` floats through the same
/// per-vector math with `loadPartial`/`storePartial`, so every element gets identical arithmetic.
/// Inner loops avoid closures and `pointwiseMin`/`pointwiseMax`, which Swift does not reliably inline
/// or vectorise; comparisons use constants bound to `let`s first (see `FastMath`).
extension UnsafePointer where Pointee == Float {
    /// The 8 floats at self[i..<i+8].
    @inline(__always)
    func load8(_ i: Int) -> SIMD8<Float> { UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self) }

    /// The first `count` (< 8) floats at self[i...], other lanes set to `fill`.
    @inline(__always)
    func loadPartial(_ i: Int, count: Int, fill: Float = 0) -> SIMD8<Float> {
        var v = SIMD8<Float>(repeating: fill)
        for lane in 0..<count { v[lane] = self[i + lane] }
        return v
    }

    /// The first min(count, 8) floats at self[i...] (one full load when there are 8), other lanes zero
    /// (all of them when count ≤ 0).
    @inline(__always)
    func loadLanes(_ i: Int, count: Int) -> SIMD8<Float> {
        count >= 8 ? load8(i) : loadPartial(i, count: max(0, count))
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The 8 floats at self[i..<i+8].
    @inline(__always)
    func load8(_ i: Int) -> SIMD8<Float> { UnsafePointer(self).load8(i) }

    /// The first `count` (< 8) floats at self[i...], other lanes set to `fill`.
    @inline(__always)
    func loadPartial(_ i: Int, count: Int, fill: Float = 0) -> SIMD8<Float> {
        UnsafePointer(self).loadPartial(i, count: count, fill: fill)
    }

    /// The first min(count, 8) floats at self[i...] (one full load when there are 8), other lanes zero
    /// (all of them when count ≤ 0).
    @inline(__always)
    func loadLanes(_ i: Int, count: Int) -> SIMD8<Float> { UnsafePointer(self).loadLanes(i, count: count) }

    /// Writes the first min(count, 8) lanes of `v` to self[i...] (one full store when there are 8;
    /// nothing when count ≤ 0).
    @inline(__always)
    func storeLanes(_ v: SIMD8<Float>, _ i: Int, count: Int) {
        if count >= 8 { store8(v, i) } else if count > 0 { storePartial(v, i, count: count) }
    }

    /// Writes the 8 lanes of `v` to self[i..<i+8].
    @inline(__always)
    func store8(_ v: SIMD8<Float>, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Writes the first `count` (< 8) lanes of `v` to self[i...].
    @inline(__always)
    func storePartial(_ v: SIMD8<Float>, _ i: Int, count: Int) {
        for lane in 0..<count { self[i + lane] = v[lane] }
    }
}

/// Zeroes the lanes at and after `count` (< 8), for the tail of a reduction.
@inline(__always)
func keepingLanes(_ v: SIMD8<Float>, below count: Int) -> SIMD8<Float> {
    var kept = SIMD8<Float>()
    for lane in 0..<count { kept[lane] = v[lane] }
    return kept
}
