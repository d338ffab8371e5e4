import CKernels

extension CPUKernels {
    /// Output columns per panel of a packed weight (three 8-float vectors).
    static let panelWidth = 24
    /// Input rows per register tile of `panelMatmulForward`.
    static let panelTileRows = 4

    /// Floats a weight[OC,C] takes once packed into panels (the last panel is zero-padded to full width).
    static func packedPanelCount(inFeatures C: Int, outFeatures OC: Int) -> Int {
        (OC + panelWidth - 1) / panelWidth * C * panelWidth
    }

    /// panels[P][C][24] = weight[OC,C] regrouped by 24 output columns, each group stored k-major:
    /// panels[p][k][j] = weight[24p + j][k], zero for 24p + j ≥ OC. `panels` holds `packedPanelCount` floats.
    static func packPanels(weight: FloatPointer, into panels: FloatPointer, inFeatures C: Int,
                                  outFeatures OC: Int) {
        let P = (OC + panelWidth - 1) / panelWidth
        Parallel.forRanges(P, costPerItem: C * panelWidth, minimumWork: 1 << 16) { range in
            rlhf_pack_panels(panels, weight, C, OC, range.lowerBound, range.upperBound)
        }
    }

    /// out[M,OC] = input[M,C] · weight[OC,C]ᵀ (+ bias[OC]) with the weight packed by `packPanels`.
    ///
    /// For a few dozen rows (batched decoding) a product does too little work per weight to hide
    /// `sgemm`'s packing, which reads the whole weight from memory on every call. Here each worker streams
    /// its pre-packed panels once, front to back, and multiplies each panel by every 4-row tile of the
    /// input held in a 4×24 register block (the panel stays in L2 across the tiles); the next panel is
    /// prefetched into L2 while the first tile runs, so reading memory overlaps arithmetic. (Cutting the
    /// depth into L1-sized blocks measured no faster at 32 rows and slower at 512.)
    static func panelMatmulForward(out: FloatPointer, input: FloatPointer, panels: FloatPointer,
                                          bias: FloatPointer?, rows M: Int, inFeatures C: Int, outFeatures OC: Int) {
        let R = panelTileRows, tiles = (M + R - 1) / R, P = (OC + panelWidth - 1) / panelWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: tiles * C * R) { packedBuffer in
            let packed = packedBuffer.baseAddress!  // [tiles][C][4]: packed[t][k][r] = input[4t + r][k], 0 past M
            Parallel.forRanges(tiles, costPerItem: C * R) { tileRange in
                rlhf_pack_row_tiles(packed, input, M, C, tileRange.lowerBound, tileRange.upperBound)
            }
            Parallel.forRanges(P, costPerItem: C * panelWidth * tiles, minimumWork: 1 << 16) { range in
                rlhf_panel_matmul(out, packed, panels, bias, M, C, OC, range.lowerBound, range.upperBound)
            }
        }
    }
}
