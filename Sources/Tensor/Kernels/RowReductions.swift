/// A per-lane function that `blockedSum` adds up. Terms are small structs, so each use of the generic
/// sum is specialised and its term inlined (closures here were left as calls per vector).
protocol LaneTerm {
    /// The term for 8 consecutive elements.
    func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float>
}

/// x
struct Identity: LaneTerm {
    @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x }
}

/// x²
struct Square: LaneTerm {
    @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { x * x }
}

/// (x − centre)²
struct SquaredDeviation: LaneTerm {
    let centre: SIMD8<Float>
    @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { let d = x - centre; return d * d }
}

/// e^(x − shift)
struct ShiftedExp: LaneTerm {
    let shift: SIMD8<Float>
    @inline(__always) func callAsFunction(_ x: SIMD8<Float>) -> SIMD8<Float> { FastMath.exp(x - shift) }
}

extension CPUKernels {
    /// Σ term(x[i]) over i in 0..<count.
    ///
    /// Float SIMD partial sums over blocks of up to 512 elements, each block folded into a Double, so
    /// long rows (V = 50257) keep float32 accuracy at SIMD speed. (The block length is left dynamic on
    /// purpose: a fixed-count inner loop got fully unrolled and re-vectorised by LLVM into 2-lane code.)
    @inline(__always)
    static func blockedSum<Term: LaneTerm>(_ x: UnsafePointer<Float>, count: Int, _ term: Term) -> Double {
        var total: Double = 0
        var i = 0
        while i + 8 <= count {
            let blockEnd = min(count, i + 512)
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
            while i + 16 <= blockEnd { a0 += term(x.load8(i)); a1 += term(x.load8(i + 8)); i += 16 }
            if i + 8 <= blockEnd { a0 += term(x.load8(i)); i += 8 }
            total += Double((a0 + a1).sum())
        }
        if i < count { total += Double(keepingLanes(term(x.loadPartial(i, count: count - i)), below: count - i).sum()) }
        return total
    }

    /// max x[i] over i in 0..<count (−inf when count is 0; NaN elements are skipped).
    @inline(__always)
    static func rowMax(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var m0 = SIMD8<Float>(repeating: -.infinity), m1 = m0
        var i = 0
        while i + 16 <= count {
            let a = x.load8(i), b = x.load8(i + 8)
            m0.replace(with: a, where: a .> m0)
            m1.replace(with: b, where: b .> m1)
            i += 16
        }
        if i + 8 <= count { let a = x.load8(i); m0.replace(with: a, where: a .> m0); i += 8 }
        if i < count {
            let a = x.loadPartial(i, count: count - i, fill: -.infinity)
            m1.replace(with: a, where: a .> m1)
        }
        m0.replace(with: m1, where: m1 .> m0)
        var best = m0[0]
        for lane in 1..<8 where m0[lane] > best { best = m0[lane] }
        return best
    }
}
