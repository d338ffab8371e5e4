import CKernels

extension CPUKernels {
    /// out[n] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with x = input[n] (GPT-2 `gelu_new`), evaluated as
    /// the identical x / (1 + e^(−2u)) (`rlhf_gelu_forward`).
    static func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 24) { range in
            rlhf_gelu_forward(out, input, range.lowerBound, range.upperBound)
        }
    }

    /// dInput[n] = gelu'(input[n]) · dOut[n] (=; dInput may alias dOut).
    static func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 32) { range in
            rlhf_gelu_backward(dInput, dOut, input, range.lowerBound, range.upperBound)
        }
    }

    /// out[n] = x·Φ(x) with x = input[n]: the exact GELU, Φ from erfc (`rlhf_gelu_erf_forward`).
    static func geluErfForward(out: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 32) { range in
            rlhf_gelu_erf_forward(out, input, range.lowerBound, range.upperBound)
        }
    }

    /// dInput[n] = (Φ(x) + x·φ(x))·dOut[n] (=; dInput may alias dOut).
    static func geluErfBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 40) { range in
            rlhf_gelu_erf_backward(dInput, dOut, input, range.lowerBound, range.upperBound)
        }
    }
}
