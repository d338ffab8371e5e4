/// The one layout change between Hugging Face and Swift tensors: GPT-2's Conv1D [in, out] ⇄ [out, in].
enum HFMatrixTranspose {
    /// output[cols, rows] = input[rows, cols]ᵀ, in cache-sized tiles.
    static func transpose(_ input: UnsafePointer<Float>, rows: Int, cols: Int, into output: UnsafeMutablePointer<Float>) {
        let tile = 32
        for rowStart in stride(from: 0, to: rows, by: tile) {
            let rowEnd = min(rowStart + tile, rows)
            for colStart in stride(from: 0, to: cols, by: tile) {
                let colEnd = min(colStart + tile, cols)
                for r in rowStart..<rowEnd {
                    for c in colStart..<colEnd { output[c * rows + r] = input[r * cols + c] }
                }
            }
        }
    }
}
