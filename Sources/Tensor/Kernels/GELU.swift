import CKernels

extension CPUKernels {
    /// out[n] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) with x = input[n] (GPT-2 `gelu_new`), evaluated as
    /// the identical x / (1 + e^(−2u)) (`rlhf_gelu_forward`).
    public static func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 24) { range in
            rlhf_gelu_forward(out, input, range.lowerBound, range.upperBound)
        }
    }

    /// dInput[n] = gelu'(input[n]) · dOut[n] (=; dInput may alias dOut).
    public static func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        Parallel.forRanges(count, costPerItem: 32) { range in
            rlhf_gelu_backward(dInput, dOut, input, range.lowerBound, range.upperBound)
        }
    }
}
