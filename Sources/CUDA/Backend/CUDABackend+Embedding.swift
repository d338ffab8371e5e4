import Tensor

extension CUDABackend {
    /// out[N,C] = table[ids[n]] (or += when `accumulate`).
    public func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows: Int, channels: Int,
                                 accumulate: Bool) {
        guard rows > 0, channels > 0 else { return }
        device.launch("rlhf_embedding_forward", .covering(rows * channels), [
            .floats(out), .ints(ids), .floats(table), .int(rows), .int(channels), .flag(accumulate),
        ])
    }

    /// dTable[V,C] += scatter of dOut[N,C] by ids.
    ///
    /// Deterministic without atomics: the rows are ranked by (id, row) into `order` (a stable sort), then
    /// the first sorted row of each id adds its whole run into the table row, in row order: the CPU's
    /// order of additions, correct when ids repeat.
    public func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows: Int, channels: Int) {
        guard rows > 0, channels > 0 else { return }
        // [N] sorted rows then [N] run ends, both int32 (the kernels read the float scratch as int)
        let order = scratch("embedding.order", count: 2 * rows), runEnd = order + rows
        device.launch("rlhf_embedding_rank_rows", LaunchShape(blocks: (rows + 255) / 256, threads: 256), [
            .ints(ids), .int(rows), .floats(order), .floats(runEnd),
        ])
        let threads = 128
        device.launch("rlhf_embedding_backward_runs",
                      LaunchShape(blocks: (x: rows, y: (channels + threads - 1) / threads, z: 1), threads: (x: threads, y: 1, z: 1)), [
            .floats(dTable), .floats(dOut), .ints(ids), .floats(order), .floats(runEnd), .int(channels),
        ])
    }
}
