import Tensor

extension CUDABackend {
    /// Threads per block of the one-block-per-row norm kernels (fixed: it fixes the order of the row sums).
    static let normRowThreads = 256
    /// Rows per chunk of the parameter-gradient partials (`RLHF_NORM_CHUNK` in the kernels).
    static let normChunkRows = 128

    /// out[N,C] = (x - mean) · rstd · weight + bias; saves mean[N], rstd[N].
    public func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, input: FloatPointer,
                                 weight: FloatPointer, bias: FloatPointer, rows: Int, channels: Int, eps: Float) {
        guard rows > 0, channels > 0 else { return }
        device.launch("rlhf_layernorm_forward", LaunchShape(blocks: rows, threads: Self.normRowThreads), [
            .floats(out), .floats(mean), .floats(rstd), .floats(input), .floats(weight), .floats(bias), .int(rows),
            .int(channels), .float(eps),
        ])
    }

    /// dInput[N,C] +=, dWeight[C] +=, dBias[C] +=.
    ///
    /// dInput row by row; dWeight/dBias as per-chunk column sums (fixed 128-row chunks) added in chunk order.
    public func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer, dOut: FloatPointer,
                                  input: FloatPointer, weight: FloatPointer, mean: FloatPointer, rstd: FloatPointer,
                                  rows: Int, channels: Int) {
        guard rows > 0, channels > 0 else { return }
        device.launch("rlhf_layernorm_backward_rows", LaunchShape(blocks: rows, threads: Self.normRowThreads), [
            .floats(dInput), .floats(dOut), .floats(input), .floats(weight), .floats(mean), .floats(rstd), .int(rows),
            .int(channels),
        ])
        let chunks = (rows + Self.normChunkRows - 1) / Self.normChunkRows
        let partials = scratch("norm.partials", count: chunks * 2 * channels)  // [chunks, 2, C]: dWeight | dBias
        device.launch("rlhf_layernorm_parameter_partials", Self.partialsShape(channels: channels, chunks: chunks), [
            .floats(partials), .floats(dOut), .floats(input), .floats(mean), .floats(rstd), .int(rows), .int(channels),
        ])
        addPartials(dWeight, partials, chunks: chunks, stride: 2 * channels, channels: channels)
        addPartials(dBias, partials + channels, chunks: chunks, stride: 2 * channels, channels: channels)
    }

    /// out[N,C] = x · rstd · weight with rstd = 1/sqrt(mean(x²) + eps); saves rstd[N].
    public func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer,
                               rows: Int, channels: Int, eps: Float) {
        guard rows > 0, channels > 0 else { return }
        device.launch("rlhf_rmsnorm_forward", LaunchShape(blocks: rows, threads: Self.normRowThreads), [
            .floats(out), .floats(rstd), .floats(input), .floats(weight), .int(rows), .int(channels), .float(eps),
        ])
    }

    /// dInput[N,C] +=, dWeight[C] +=.
    ///
    /// dInput row by row; dWeight as per-chunk column sums (fixed 128-row chunks) added in chunk order.
    public func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer, input: FloatPointer,
                                weight: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int) {
        guard rows > 0, channels > 0 else { return }
        device.launch("rlhf_rmsnorm_backward_rows", LaunchShape(blocks: rows, threads: Self.normRowThreads), [
            .floats(dInput), .floats(dOut), .floats(input), .floats(weight), .floats(rstd), .int(rows), .int(channels),
        ])
        let chunks = (rows + Self.normChunkRows - 1) / Self.normChunkRows
        let partials = scratch("norm.partials", count: chunks * channels)  // [chunks, C]
        device.launch("rlhf_rmsnorm_weight_partials", Self.partialsShape(channels: channels, chunks: chunks), [
            .floats(partials), .floats(dOut), .floats(input), .floats(rstd), .int(rows), .int(channels),
        ])
        addPartials(dWeight, partials, chunks: chunks, stride: channels, channels: channels)
    }

    /// Blocks of 32 columns × 8 row lanes, one per (column block, chunk).
    private static func partialsShape(channels: Int, chunks: Int) -> LaunchShape {
        LaunchShape(blocks: (x: (channels + 31) / 32, y: chunks, z: 1), threads: (x: 256, y: 1, z: 1))
    }

    /// target[C] += the `chunks` partial rows `stride` floats apart, in chunk order.
    private func addPartials(_ target: FloatPointer, _ partials: FloatPointer, chunks: Int, stride: Int, channels: Int) {
        device.launch("rlhf_norm_partials_add", .covering(channels), [
            .floats(target), .floats(partials), .int(chunks), .int(stride), .int(channels),
        ])
    }
}
