import ModelIO
import XCTest

/// The q/k row un-permutation, checked by round trips through the converters' own permutations,
/// written here as their Python code reads.
final class GGUFRotaryRowsTests: XCTestCase {
    /// llama.cpp `convert_hf_to_gguf.py` `permute`: w.reshape(heads, 2, D/2, C).swapaxes(1, 2).reshape(w.shape).
    static func llamaCppPermute(_ w: [Float], heads: Int, columns: Int) -> [Float] {
        let D = w.count / columns / heads, halfD = D / 2
        var out: [Float] = []
        // output index order (h, i, j, c) reads input at (h, j, i, c) of the (heads, 2, D/2, C) view
        for h in 0..<heads { for i in 0..<halfD { for j in 0..<2 { for c in 0..<columns {
            out.append(w[((h * 2 + j) * halfD + i) * columns + c])
        } } } }
        return out
    }

    /// Hugging Face `convert_llama_weights_to_hf.py` `permute` (llama2.c / Meta order → HF):
    /// w.view(heads, D/2, 2, C).transpose(1, 2).reshape(heads·D, C).
    static func huggingFacePermute(_ w: [Float], heads: Int, columns: Int) -> [Float] {
        let D = w.count / columns / heads, halfD = D / 2
        var out: [Float] = []
        // output index order (h, j, i, c) reads input at (h, i, j, c) of the (heads, D/2, 2, C) view
        for h in 0..<heads { for j in 0..<2 { for i in 0..<halfD { for c in 0..<columns {
            out.append(w[((h * halfD + i) * 2 + j) * columns + c])
        } } } }
        return out
    }

    func testUndoesLlamaCppPermutation() {
        for (heads, D, C) in [(1, 6, 2), (2, 4, 3), (9, 64, 5), (3, 64, 7)] {
            let rows = heads * D
            let original: [Float] = (0..<rows * C).map { Float($0) }
            let permuted = Self.llamaCppPermute(original, heads: heads, columns: C)
            XCTAssertNotEqual(permuted, original, "the permutation must move rows (heads \(heads), D \(D))")
            XCTAssertEqual(GGUFRotaryRows.interleavedToHalfSplit(permuted, rows: rows, columns: C, headDim: D), original,
                           "heads \(heads), D \(D)")
        }
    }

    func testEqualsHuggingFaceLlama2cConversion() {
        for (heads, D, C) in [(2, 4, 3), (8, 8, 64), (4, 16, 2)] {
            let interleaved: [Float] = (0..<heads * D * C).map { Float($0 * 3 % 1001) }
            XCTAssertEqual(GGUFRotaryRows.interleavedToHalfSplit(interleaved, rows: heads * D, columns: C, headDim: D),
                           Self.huggingFacePermute(interleaved, heads: heads, columns: C))
        }
    }

    func testSmallCaseByHand() {
        // one head, D = 4: interleaved rows (x0, y0, x1, y1) → half-split (x0, x1, y0, y1)
        XCTAssertEqual(GGUFRotaryRows.interleavedToHalfSplit([10, 20, 11, 21], rows: 4, columns: 1, headDim: 4),
                       [10, 11, 20, 21])
    }
}
