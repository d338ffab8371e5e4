import CKernelSupport

extension CPUKernels {
    /// Output columns per panel of a packed weight (three 8-float vectors).
    public static let panelWidth = 24
    /// Input rows per register tile of `panelMatmulForward`.
    static let panelTileRows = 4

    /// Floats a weight[OC,C] takes once packed into panels (the last panel is zero-padded to full width).
    public static func packedPanelCount(inFeatures C: Int, outFeatures OC: Int) -> Int {
        (OC + panelWidth - 1) / panelWidth * C * panelWidth
    }

    /// panels[P][C][24] = weight[OC,C] regrouped by 24 output columns, each group stored k-major:
    /// panels[p][k][j] = weight[24p + j][k], zero for 24p + j ≥ OC. `panels` holds `packedPanelCount` floats.
    public static func packPanels(weight: FloatPointer, into panels: FloatPointer, inFeatures C: Int,
                                  outFeatures OC: Int) {
        let P = (OC + panelWidth - 1) / panelWidth
        Parallel.forRanges(P, costPerItem: C * panelWidth, minimumWork: 1 << 16) { range in
            for p in range {
                let dst = panels + p * C * panelWidth
                let live = min(panelWidth, OC - p * panelWidth)
                if live < panelWidth { dst.initialize(repeating: 0, count: C * panelWidth) }
                // 8 rows × 8 k at a time: read eight row segments, write them out k-major
                var j0 = 0
                while j0 < live {
                    let width = min(8, live - j0)
                    let row = weight + (p * panelWidth + j0) * C
                    var k = 0
                    while k + 8 <= C && width == 8 {
                        let r0 = row.load8(k), r1 = (row + C).load8(k), r2 = (row + 2 * C).load8(k)
                        let r3 = (row + 3 * C).load8(k), r4 = (row + 4 * C).load8(k), r5 = (row + 5 * C).load8(k)
                        let r6 = (row + 6 * C).load8(k), r7 = (row + 7 * C).load8(k)
                        for i in 0..<8 {
                            let column = SIMD8(r0[i], r1[i], r2[i], r3[i], r4[i], r5[i], r6[i], r7[i])
                            (dst + (k + i) * panelWidth + j0).store8(column, 0)
                        }
                        k += 8
                    }
                    for kk in k..<C {
                        for j in 0..<width { dst[kk * panelWidth + j0 + j] = row[j * C + kk] }
                    }
                    j0 += 8
                }
            }
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
    public static func panelMatmulForward(out: FloatPointer, input: FloatPointer, panels: FloatPointer,
                                          bias: FloatPointer?, rows M: Int, inFeatures C: Int, outFeatures OC: Int) {
        let R = panelTileRows, tiles = (M + R - 1) / R, P = (OC + panelWidth - 1) / panelWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: tiles * C * R) { packedBuffer in
            // packed[t][k][r] = input[R·t + r][k]; rows past M are zero
            let packed = packedBuffer.baseAddress!
            Parallel.forRanges(tiles, costPerItem: C * R) { tileRange in
                for t in tileRange {
                    let dst = packed + t * C * R
                    for r in 0..<R {
                        let m = t * R + r
                        if m < M {
                            let row = input + m * C
                            for k in 0..<C { dst[k * R + r] = row[k] }
                        } else {
                            for k in 0..<C { dst[k * R + r] = 0 }
                        }
                    }
                }
            }
            let x = UnsafePointer(packed)
            Parallel.forRanges(P, costPerItem: C * panelWidth * tiles, minimumWork: 1 << 16) { range in
                for p in range {
                    let panel = UnsafePointer(panels + p * C * panelWidth)
                    let next: UnsafePointer<Float>? = p + 1 < range.upperBound ? panel + C * panelWidth : nil
                    let columns = min(panelWidth, OC - p * panelWidth)
                    for t in 0..<tiles {
                        panelTile(out: out + t * R * OC + p * panelWidth, outStride: OC,
                                  rows: min(R, M - t * R), columns: columns, x: x + t * C * R, panel: panel,
                                  bias: bias.map { UnsafePointer($0 + p * panelWidth) }, depth: C,
                                  prefetch: t == 0 ? next : nil)
                    }
                }
            }
        }
    }

    /// One 4×24 output tile: Σ_{k<depth} x[k][r] · panel[k][j] (+ bias[j]) for r < rows, j < columns.
    @inline(__always)
    private static func panelTile(out: FloatPointer, outStride: Int, rows: Int, columns: Int,
                                  x: UnsafePointer<Float>, panel: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                  depth: Int, prefetch: UnsafePointer<Float>?) {
        var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>()
        if let bias { (b0, b1, b2) = loadTileRow(bias, columns: columns) }
        var c00 = b0, c01 = b1, c02 = b2, c10 = b0, c11 = b1, c12 = b2
        var c20 = b0, c21 = b1, c22 = b2, c30 = b0, c31 = b1, c32 = b2
        // the next panel streams into L2 while this one is computed (each k step covers 1.5 lines of it);
        // tiles after the first have nothing to fetch and re-touch their own panel, already in cache
        var w = panel, xs = x, ahead = prefetch ?? panel
        for _ in 0..<depth {
            rlhf_prefetch_l2(ahead); rlhf_prefetch_l2(ahead + 16)
            let w0 = w.load8(0), w1 = w.load8(8), w2 = w.load8(16)
            var s = SIMD8<Float>(repeating: xs[0])
            c00 = c00.addingProduct(w0, s); c01 = c01.addingProduct(w1, s); c02 = c02.addingProduct(w2, s)
            s = SIMD8<Float>(repeating: xs[1])
            c10 = c10.addingProduct(w0, s); c11 = c11.addingProduct(w1, s); c12 = c12.addingProduct(w2, s)
            s = SIMD8<Float>(repeating: xs[2])
            c20 = c20.addingProduct(w0, s); c21 = c21.addingProduct(w1, s); c22 = c22.addingProduct(w2, s)
            s = SIMD8<Float>(repeating: xs[3])
            c30 = c30.addingProduct(w0, s); c31 = c31.addingProduct(w1, s); c32 = c32.addingProduct(w2, s)
            w += 24; xs += 4; ahead += 24
        }
        storeTileRow(c00, c01, c02, out, columns: columns)
        if rows > 1 { storeTileRow(c10, c11, c12, out + outStride, columns: columns) }
        if rows > 2 { storeTileRow(c20, c21, c22, out + 2 * outStride, columns: columns) }
        if rows > 3 { storeTileRow(c30, c31, c32, out + 3 * outStride, columns: columns) }
    }

    /// Writes one tile row's 24 sums, of which the first `columns` are real.
    @inline(__always)
    private static func storeTileRow(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ row: FloatPointer,
                                     columns: Int) {
        row.storeLanes(v0, 0, count: columns)
        row.storeLanes(v1, 8, count: columns - 8)
        row.storeLanes(v2, 16, count: columns - 16)
    }

    /// The first `columns` of 24 floats at `row` as three vectors (zero past `columns`).
    @inline(__always)
    private static func loadTileRow(_ row: UnsafePointer<Float>, columns: Int)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        (row.loadLanes(0, count: columns), row.loadLanes(8, count: columns - 8), row.loadLanes(16, count: columns - 16))
    }
}
