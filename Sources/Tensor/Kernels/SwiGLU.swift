extension CPUKernels {
    /// silu(g)·u = g / (1 + e^(−g)) · u for 8 lanes.
    @inline(__always)
    static func swiglu(_ g: SIMD8<Float>, _ u: SIMD8<Float>) -> SIMD8<Float> {
        g / (1 + FastMath.exp(-g)) * u
    }

    /// (d gate, d up) = (d·u·silu'(g), d·silu(g)) for 8 lanes, with silu'(g) = s·(1 + g·(1 − s)), s = sigmoid(g).
    @inline(__always)
    static func swigluGradient(_ g: SIMD8<Float>, _ u: SIMD8<Float>, _ d: SIMD8<Float>)
        -> (gate: SIMD8<Float>, up: SIMD8<Float>) {
        let s = FastMath.sigmoid(g)
        return (d * u * (s * (1 + g * (1 - s))), d * (g * s))
    }

    /// out[N,F] = silu(gate) · up, where each gateUp[N,2F] row is [gate (F) | up (F)] and
    /// silu(g) = g·sigmoid(g) (Llama MLP).
    public static func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows N: Int, hidden F: Int) {
        Parallel.forRanges(N, costPerItem: F * 16) { rows in
            for n in rows {
                let gate = gateUp + n * 2 * F  // [F]
                let up = gate + F              // [F]
                let target = out + n * F       // [F]
                var i = 0
                while i + 8 <= F { target.store8(swiglu(gate.load8(i), up.load8(i)), i); i += 8 }
                let lanes = F - i
                if lanes > 0 {
                    let y = swiglu(gate.loadPartial(i, count: lanes), up.loadPartial(i, count: lanes))
                    target.storePartial(y, i, count: lanes)
                }
            }
        }
    }

    /// dGateUp[N,2F] (=) from dOut[N,F]: d gate = dOut·up·silu'(gate), d up = dOut·silu(gate).
    /// dOut may overlap dGateUp (it is then read from a copy).
    public static func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows N: Int,
                                      hidden F: Int) {
        let gradientStart = UInt(bitPattern: dOut), gradientEnd = gradientStart + UInt(N * F * 4)
        let targetStart = UInt(bitPattern: dGateUp), targetEnd = targetStart + UInt(N * 2 * F * 4)
        if gradientStart < targetEnd && targetStart < gradientEnd {
            let staged = FloatBuffer(count: N * F)  // [N,F] copy of dOut
            staged.pointer.update(from: dOut, count: N * F)
            swigluBackward(dGateUp: dGateUp, dOut: staged.pointer, gateUp: gateUp, rows: N, hidden: F)
            return
        }
        Parallel.forRanges(N, costPerItem: F * 24) { rows in
            for n in rows {
                let gate = gateUp + n * 2 * F, up = gate + F       // [F], [F]
                let dGate = dGateUp + n * 2 * F, dUp = dGate + F  // [F], [F]
                let gradient = dOut + n * F                        // [F]
                var i = 0
                while i + 8 <= F {
                    let d = swigluGradient(gate.load8(i), up.load8(i), gradient.load8(i))
                    dGate.store8(d.gate, i)
                    dUp.store8(d.up, i)
                    i += 8
                }
                let lanes = F - i
                if lanes > 0 {
                    let d = swigluGradient(gate.loadPartial(i, count: lanes), up.loadPartial(i, count: lanes),
                                           gradient.loadPartial(i, count: lanes))
                    dGate.storePartial(d.gate, i, count: lanes)
                    dUp.storePartial(d.up, i, count: lanes)
                }
            }
        }
    }
}
