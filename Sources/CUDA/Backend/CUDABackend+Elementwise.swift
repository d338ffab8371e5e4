import Tensor

extension CUDABackend {
    /// out[n] = a[n] + b[n] (out may alias a or b).
    public func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) {
        guard count > 0 else { return }
        device.launch("rlhf_add", .covering(count), [.floats(out), .floats(a), .floats(b), .int64(Int64(count))])
    }

    /// out[n, 0..<columns] += source[n, 0..<columns] for n in 0..<rows, the rows of `out` `outStride`
    /// floats apart and those of `source` packed (a LoRA delta added to a row block of a fused output).
    public func addColumns(out: FloatPointer, outStride: Int, source: FloatPointer, rows: Int, columns: Int) {
        guard rows > 0, columns > 0 else { return }
        device.launch("rlhf_add_columns", .covering(rows * columns), [
            .floats(out), .int64(Int64(outStride)), .floats(source), .int(rows), .int(columns),
        ])
    }

    /// out[n, 0..<columns] (=) source[n, 0..<columns] for n in 0..<rows, the rows of `source`
    /// `sourceStride` floats apart and those of `out` packed (a column block of a fused gradient).
    public func copyColumns(out: FloatPointer, source: FloatPointer, sourceStride: Int, rows: Int, columns: Int) {
        guard rows > 0, columns > 0 else { return }
        device.launch("rlhf_copy_columns", .covering(rows * columns), [
            .floats(out), .floats(source), .int64(Int64(sourceStride)), .int(rows), .int(columns),
        ])
    }

    /// out[n] = gelu_tanh(input[n]).
    public func geluForward(out: FloatPointer, input: FloatPointer, count: Int) {
        guard count > 0 else { return }
        device.launch("rlhf_gelu_forward", .covering(count), [.floats(out), .floats(input), .int64(Int64(count))])
    }

    /// dInput[n] = gelu'(input[n]) · dOut[n] (=; may alias dOut).
    public func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        guard count > 0 else { return }
        device.launch("rlhf_gelu_backward", .covering(count), [
            .floats(dInput), .floats(dOut), .floats(input), .int64(Int64(count)),
        ])
    }

    /// out[n] = input[n]·Φ(input[n]): the exact (erf) GELU of BERT's `gelu`.
    public func geluErfForward(out: FloatPointer, input: FloatPointer, count: Int) {
        guard count > 0 else { return }
        device.launch("rlhf_gelu_erf_forward", .covering(count), [.floats(out), .floats(input), .int64(Int64(count))])
    }

    /// dInput[n] = (Φ(x) + x·φ(x)) · dOut[n] with x = input[n] (=; may alias dOut).
    public func geluErfBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) {
        guard count > 0 else { return }
        device.launch("rlhf_gelu_erf_backward", .covering(count), [
            .floats(dInput), .floats(dOut), .floats(input), .int64(Int64(count)),
        ])
    }

    /// out[N,F] = silu(gateUp[N, 0..<F]) · gateUp[N, F..<2F].
    public func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        guard rows > 0, hidden > 0 else { return }
        device.launch("rlhf_swiglu_forward", .covering(rows * hidden), [
            .floats(out), .floats(gateUp), .int(rows), .int(hidden),
        ])
    }

    /// dGateUp[N,2F] (=) from dOut[N,F].
    ///
    /// As on the CPU, dOut may overlap dGateUp: it is then copied to scratch first, since one thread's
    /// writes would land on values another thread has yet to read.
    public func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) {
        guard rows > 0, hidden > 0 else { return }
        let count = rows * hidden
        let gradientStart = UInt(bitPattern: dOut), gradientEnd = gradientStart + UInt(count * 4)
        let targetStart = UInt(bitPattern: dGateUp), targetEnd = targetStart + UInt(2 * count * 4)
        var gradient = dOut
        if gradientStart < targetEnd && targetStart < gradientEnd {
            gradient = scratch("swiglu.dOut", count: count)
            copy(from: dOut, to: gradient, count: count)
        }
        device.launch("rlhf_swiglu_backward", .covering(count), [
            .floats(dGateUp), .floats(gradient), .floats(gateUp), .int(rows), .int(hidden),
        ])
    }
}
