import CKernels

extension CPUKernels {
    /// out[N,F] = silu(gate) · up, where each gateUp[N,2F] row is [gate (F) | up (F)] and
    /// silu(g) = g·sigmoid(g) (Llama MLP).
    static func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows N: Int, hidden F: Int) {
        Parallel.forRanges(N, costPerItem: F * 16) { rows in
            rlhf_swiglu_forward(out, gateUp, F, rows.lowerBound, rows.upperBound)
        }
    }

    /// dGateUp[N,2F] (=) from dOut[N,F]: d gate = dOut·up·silu'(gate), d up = dOut·silu(gate).
    /// dOut may overlap dGateUp (it is then read from a copy).
    static func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows N: Int,
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
            rlhf_swiglu_backward(dGateUp, dOut, gateUp, F, rows.lowerBound, rows.upperBound)
        }
    }
}
