import Tensor

extension CUDABackend {
    /// One AdamW step over flat parameters, gradients and moments; one launch per segment with its scalars.
    public func adamWStep(parameters: FloatPointer, gradients: FloatPointer, firstMoment: FloatPointer,
                          secondMoment: FloatPointer, count: Int, segments: [OptimizerSegment], scalars: [AdamWScalars]) {
        for segment in segments where !segment.range.isEmpty {
            let s = scalars[segment.scalarsIndex]
            device.launch("rlhf_adamw", .covering(segment.range.count), [
                .floats(parameters), .floats(gradients), .floats(firstMoment), .floats(secondMoment),
                .int64(Int64(segment.range.lowerBound)), .int64(Int64(segment.range.upperBound)),
                .float(s.decayFactor), .float(s.oneMinusBeta1), .float(s.beta2), .float(s.oneMinusBeta2),
                .float(s.negativeStepSize), .float(s.biasCorrection2Sqrt), .float(s.epsilon),
            ])
        }
    }

    /// Σ x² over x[count] in double: fixed 65,536-float blocks, then the blocks' sums in block order (the
    /// CPU backend's blocks; the order inside a block is the GPU's own, fixed by the launch shape).
    public func sumOfSquares(_ x: FloatPointer, count: Int) -> Double {
        guard count > 0 else { return 0 }
        let blocks = (count + 65535) / 65536
        let partials = scratch("sumOfSquares", count: 2 * (blocks + 1))
        device.launch("rlhf_sum_of_squares_blocks", LaunchShape(blocks: blocks, threads: 256), [.floats(x), .int64(Int64(count)), .floats(partials)])
        let total = partials + 2 * blocks
        device.launch("rlhf_sum_doubles", LaunchShape(blocks: 1, threads: 32), [.floats(partials), .int(blocks), .floats(total)])
        var result = [Float](repeating: 0, count: 2)
        result.withUnsafeMutableBufferPointer { download(total, into: $0) }
        return result.withUnsafeBytes { $0.load(as: Double.self) }
    }

    /// x[count] *= factor.
    public func scale(_ x: FloatPointer, count: Int, by factor: Float) {
        guard count > 0 else { return }
        device.launch("rlhf_scale", .covering(count), [.floats(x), .int64(Int64(count)), .float(factor)])
    }
}
