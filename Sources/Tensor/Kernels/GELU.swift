extension CPUKernels {
    /// The tanh-GELU input scale √(2/π) and cubic coefficient.
    static let geluScale: Float = 0.797_884_560_802_865_4, geluCubic: Float = 0.044_715

    /// gelu(x) = 0.5·x·(1 + tanh(u)) with u = √(2/π)·(x + 0.044715·x³), for 8 lanes, evaluated as the
    /// identical x·sigmoid(2u) = x / (1 + e^(−2u)): one exp, no cancellation in 1 + tanh(u) for x < 0.
    @inline(__always)
    static func gelu(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let u = geluScale * (x + geluCubic * (x * x * x))
        return x / (1 + FastMath.exp(-2 * u))
    }

    /// gelu'(x)·gradient for 8 lanes: with s = sigmoid(2u) (= (1 + tanh u)/2),
    /// gelu'(x) = s + 2·x·s·(1 − s)·u'(x), u'(x) = √(2/π)·(1 + 3·0.044715·x²).
    @inline(__always)
    static func geluGradient(_ x: SIMD8<Float>, _ gradient: SIMD8<Float>) -> SIMD8<Float> {
        let square = x * x
        let u = geluScale * (x + geluCubic * (square * x))
        let s = FastMath.sigmoid(2 * u)
        let innerSlope = geluScale * (1 + (3 * geluCubic) * square)
        let sigmoidSlope = s * (1 - s)
        let slope = s + 2 * x * sigmoidSlope * innerSlope
        return slope * gradient
    }

    /// out[n] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with x = input[n] (GPT-2 `gelu_new`).
    public static func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 24) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound { out.store8(gelu(input.load8(i)), i); i += 8 }
            let lanes = range.upperBound - i
            if lanes > 0 { out.storePartial(gelu(input.loadPartial(i, count: lanes)), i, count: lanes) }
        }
    }

    /// dInput[n] = gelu'(input[n]) · dOut[n] (=; dInput may alias dOut).
    public static func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 32) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound { dInput.store8(geluGradient(input.load8(i), dOut.load8(i)), i); i += 8 }
            let lanes = range.upperBound - i
            if lanes > 0 {
                let gradient = geluGradient(input.loadPartial(i, count: lanes), dOut.loadPartial(i, count: lanes))
                dInput.storePartial(gradient, i, count: lanes)
            }
        }
    }
}
