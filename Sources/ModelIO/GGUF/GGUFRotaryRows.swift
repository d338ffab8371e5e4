/// The two row orders of rotary (RoPE) query/key projections, and the map between them.
///
/// Hugging Face Llama rotates pairs (i, i + D/2) of each head ("rotate_half", the order our model uses).
/// llama.cpp's `convert_hf_to_gguf.py` permutes q and k rows per head to rotate pairs (2i, 2i+1):
/// `w.reshape(heads, 2, D/2, C).swapaxes(1, 2)`, i.e. interleaved row 2i + j comes from half-split row
/// j·D/2 + i. llama2.c checkpoints use the same interleaved order (undone by Hugging Face's
/// `convert_llama_weights_to_hf.py` `permute`), so both loaders map rows back with this one function.
package enum GGUFRotaryRows {
    /// The half-split (Hugging Face) row that interleaved row `row` belongs at; `headDim` is D (even).
    @inlinable
    package static func halfSplitRow(forInterleavedRow row: Int, headDim: Int) -> Int {
        let head = row / headDim, within = row % headDim
        let pair = within / 2, member = within % 2
        return head * headDim + member * (headDim / 2) + pair
    }

    /// Reorders the rows of `matrix` [rows, columns] from interleaved to half-split order, head by head.
    package static func interleavedToHalfSplit(_ matrix: [Float], rows: Int, columns: Int, headDim: Int) -> [Float] {
        precondition(matrix.count == rows * columns && rows % headDim == 0 && headDim % 2 == 0)
        var result = [Float](repeating: 0, count: matrix.count)
        for row in 0..<rows {
            let target = halfSplitRow(forInterleavedRow: row, headDim: headDim)
            result[target * columns..<(target + 1) * columns] = matrix[row * columns..<(row + 1) * columns]
        }
        return result
    }
}
