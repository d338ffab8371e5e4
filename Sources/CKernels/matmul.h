/* Decoding products: the skinny matmul and the packed-panel matmul with their packing (one variant's copy;
 * see simd.h). Both use 8-float vectors and layouts that do not depend on the variant. */

#define PANEL_WIDTH 24 /* output columns per packed panel (three 8-float vectors) */

/* An empty asm that claims to change three accumulators: it keeps the scheduler from starting the next
 * row's broadcast before this row's multiply-adds, which with 12 accumulators, 3 weights and a broadcast
 * (all 16 AVX2 registers) otherwise spills an accumulator to the stack on every step. */
#if RLHF_HAS_FMA && defined(__x86_64__)
#define ROW_DONE(a, b, c) __asm__("" : "+x"(a), "+x"(b), "+x"(c))
#else
#define ROW_DONE(a, b, c) ((void)0)
#endif
#define TILE_ROWS 4    /* input rows per packed row tile */

/* packed[k][i][lane] = input[i][8k + lane] for i < rows (≤ 8), zero for rows past them. */
static void k_skinny_pack(float *packed, const float *input, long rows, long C) {
    const long chunks = C / 8;
    for (long k = 0; k < chunks; k++)
        for (long i = 0; i < 8; i++)
            store8(packed + (k * 8 + i) * 8, i < rows ? load8(input + i * C + k * 8) : splat8(0));
}

/* [Σ_c w[c]·x_i[c] for i < 8] over chunks·8 columns, x packed as [chunk][row][lane]. */
static inline void dot_packed(const float *w, const float *packed, long chunks, float sums[8]) {
    v8f a0 = splat8(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const float *p = packed;
    for (long k = 0; k < chunks; k++, p += 64) {
        /* the weight row is read once from memory: request lines ~8 KiB ahead into L2 (prefetching into L1
         * evicts the packed input) */
        if ((k & 1) == 0) prefetch_l2(w + k * 8 + 2048);
        v8f u = load8(w + k * 8);
        a0 = FMA(u, load8(p), a0);      a1 = FMA(u, load8(p + 8), a1);
        a2 = FMA(u, load8(p + 16), a2); a3 = FMA(u, load8(p + 24), a3);
        a4 = FMA(u, load8(p + 32), a4); a5 = FMA(u, load8(p + 40), a5);
        a6 = FMA(u, load8(p + 48), a6); a7 = FMA(u, load8(p + 56), a7);
    }
    sums[0] = hsum8(a0); sums[1] = hsum8(a1); sums[2] = hsum8(a2); sums[3] = hsum8(a3);
    sums[4] = hsum8(a4); sums[5] = hsum8(a5); sums[6] = hsum8(a6); sums[7] = hsum8(a7);
}

/* Streams weight rows [lo, hi) once, dotting each with up to 8 packed input rows. */
static void k_skinny_rows(float *out, const float *input, const float *packed, const float *weight, long rows, long C,
                          long OC, long lo, long hi) {
    const long chunks = C / 8, tail_start = chunks * 8;
    float sums[8];
    for (long o = lo; o < hi; o++) {
        const float *w = weight + o * C; /* [C] */
        dot_packed(w, packed, chunks, sums);
        for (long c = tail_start; c < C; c++)
            for (long i = 0; i < rows; i++) sums[i] += w[c] * input[i * C + c];
        for (long i = 0; i < rows; i++) out[i * OC + o] = sums[i];
    }
}

/* panels[p][k][j] = weight[24p + j][k] (zero for 24p + j ≥ OC), 8 rows × 8 k at a time. */
static void k_pack_panels(float *panels, const float *weight, long C, long OC, long lo, long hi) {
    for (long p = lo; p < hi; p++) {
        float *dst = panels + p * C * PANEL_WIDTH; /* [C][24] */
        long live = OC - p * PANEL_WIDTH < PANEL_WIDTH ? OC - p * PANEL_WIDTH : PANEL_WIDTH;
        if (live < PANEL_WIDTH) memset(dst, 0, (size_t)(C * PANEL_WIDTH) * sizeof(float));
        for (long j0 = 0; j0 < live; j0 += 8) {
            long width = live - j0 < 8 ? live - j0 : 8;
            const float *row = weight + (p * PANEL_WIDTH + j0) * C;
            long k = 0;
            if (width == 8) {
                for (; k + 8 <= C; k += 8) {
                    v8f r[8];
                    for (int i = 0; i < 8; i++) r[i] = load8(row + i * C + k);
                    for (int kk = 0; kk < 8; kk++) {
                        v8f column = {r[0][kk], r[1][kk], r[2][kk], r[3][kk], r[4][kk], r[5][kk], r[6][kk], r[7][kk]};
                        store8(dst + (k + kk) * PANEL_WIDTH + j0, column);
                    }
                }
            }
            for (; k < C; k++)
                for (long j = 0; j < width; j++) dst[k * PANEL_WIDTH + j0 + j] = row[j * C + k];
        }
    }
}

/* packed[t][k][r] = input[4t + r][k], zero for rows ≥ M. */
static void k_pack_row_tiles(float *packed, const float *input, long M, long C, long lo, long hi) {
    for (long t = lo; t < hi; t++) {
        float *dst = packed + t * C * TILE_ROWS; /* [C][4] */
        for (long r = 0; r < TILE_ROWS; r++) {
            long m = t * TILE_ROWS + r;
            if (m < M) { const float *row = input + m * C; for (long k = 0; k < C; k++) dst[k * TILE_ROWS + r] = row[k]; }
            else for (long k = 0; k < C; k++) dst[k * TILE_ROWS + r] = 0;
        }
    }
}

/* One 4×24 output tile: Σ_k x[k][r]·panel[k][j] (+ bias[j]) for r < rows, j < columns. The next panel
 * streams into L2 while the first tile of this one is computed (`prefetch`; NULL re-touches this panel). */
static inline void panel_tile(float *out, long out_stride, long rows, long columns, const float *x,
                              const float *panel, const float *bias, long depth, const float *prefetch) {
    v8f b0 = splat8(0), b1 = b0, b2 = b0;
    if (bias) { b0 = load8_lanes(bias, columns); b1 = load8_lanes(bias + 8, columns - 8); b2 = load8_lanes(bias + 16, columns - 16); }
    v8f c00 = b0, c01 = b1, c02 = b2, c10 = b0, c11 = b1, c12 = b2;
    v8f c20 = b0, c21 = b1, c22 = b2, c30 = b0, c31 = b1, c32 = b2;
    const float *w = panel, *xs = x, *ahead = prefetch ? prefetch : panel;
    for (long k = 0; k < depth; k++, w += 24, xs += 4, ahead += 24) {
        prefetch_l2(ahead); prefetch_l2(ahead + 16);
        v8f w0 = load8(w), w1 = load8(w + 8), w2 = load8(w + 16);
        v8f s = splat8(xs[0]);
        c00 = FMA(w0, s, c00); c01 = FMA(w1, s, c01); c02 = FMA(w2, s, c02);
        ROW_DONE(c00, c01, c02);
        s = splat8(xs[1]);
        c10 = FMA(w0, s, c10); c11 = FMA(w1, s, c11); c12 = FMA(w2, s, c12);
        ROW_DONE(c10, c11, c12);
        s = splat8(xs[2]);
        c20 = FMA(w0, s, c20); c21 = FMA(w1, s, c21); c22 = FMA(w2, s, c22);
        ROW_DONE(c20, c21, c22);
        s = splat8(xs[3]);
        c30 = FMA(w0, s, c30); c31 = FMA(w1, s, c31); c32 = FMA(w2, s, c32);
    }
#define STORE_TILE_ROW(r, v0, v1, v2) do { float *o = out + (r) * out_stride; \
        store8_lanes(o, v0, columns); store8_lanes(o + 8, v1, columns - 8); store8_lanes(o + 16, v2, columns - 16); } while (0)
    STORE_TILE_ROW(0, c00, c01, c02);
    if (rows > 1) STORE_TILE_ROW(1, c10, c11, c12);
    if (rows > 2) STORE_TILE_ROW(2, c20, c21, c22);
    if (rows > 3) STORE_TILE_ROW(3, c30, c31, c32);
#undef STORE_TILE_ROW
}

/* Panels [lo, hi): each is streamed once and multiplied by every 4-row tile while it stays in L2. (An 8×24
 * tile of 512-bit vectors for the AVX-512 variant measured no faster at 32 rows: 48.2-50.6 ms against
 * 48.5-51.0 ms per decoding step's products, so every variant runs this one.) */
static void k_panel_matmul(float *out, const float *packed_input, const float *panels, const float *bias, long M,
                           long C, long OC, long lo, long hi) {
    const long tiles = (M + TILE_ROWS - 1) / TILE_ROWS;
    for (long p = lo; p < hi; p++) {
        const float *panel = panels + p * C * PANEL_WIDTH;
        const float *next = p + 1 < hi ? panel + C * PANEL_WIDTH : 0;
        long columns = OC - p * PANEL_WIDTH < PANEL_WIDTH ? OC - p * PANEL_WIDTH : PANEL_WIDTH;
        for (long t = 0; t < tiles; t++) {
            long rows = M - t * TILE_ROWS < TILE_ROWS ? M - t * TILE_ROWS : TILE_ROWS;
            panel_tile(out + t * TILE_ROWS * OC + p * PANEL_WIDTH, OC, rows, columns, packed_input + t * C * TILE_ROWS,
                       panel, bias ? bias + p * PANEL_WIDTH : 0, C, t == 0 ? next : 0);
        }
    }
}
