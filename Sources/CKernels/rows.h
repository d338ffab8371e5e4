/* Row reductions, norms, RoPE and embeddings (one variant's copy; see simd.h). */

enum { TERM_IDENTITY, TERM_SQUARE, TERM_SQUARED_DEVIATION, TERM_SHIFTED_EXP };

/* x, x², (x − c)² or e^(x − c) per lane (`kind` is a constant at every call, so the switch folds away). */
static inline __attribute__((always_inline)) vf term(int kind, vf x, vf c) {
    switch (kind) {
    case TERM_SQUARE: return x * x;
    case TERM_SQUARED_DEVIATION: { vf d = x - c; return d * d; }
    case TERM_SHIFTED_EXP: return vexp(x - c);
    default: return x;
    }
}

/* Σ term(x[i]) over count values: float vector partial sums over blocks of up to 512 values, each block
 * folded into a double, so long rows (V = 50257) keep float32 accuracy at vector speed. */
static inline __attribute__((always_inline)) double blocked_sum(const float *x, long count, int kind, float c) {
    const vf centre = splat(c);
    double total = 0;
    long i = 0;
    while (i + VL <= count) {
        long block_end = count < i + 512 ? count : i + 512;
        vf a0 = splat(0), a1 = splat(0);
        for (; i + 2 * VL <= block_end; i += 2 * VL) {
            a0 += term(kind, loadv(x + i), centre);
            a1 += term(kind, loadv(x + i + VL), centre);
        }
        if (i + VL <= block_end) { a0 += term(kind, loadv(x + i), centre); i += VL; }
        total += (double)hsum(a0 + a1);
    }
    if (i < count) total += (double)hsum(keep_lanes(term(kind, load_part(x + i, count - i, 0), centre), count - i));
    return total;
}

/* max x[i] (−inf when count is 0; NaN elements skipped: a comparison with NaN is false). */
static float k_row_max(const float *x, long count) {
    vf m0 = splat(-INFINITY), m1 = m0;
    long i = 0;
    for (; i + 2 * VL <= count; i += 2 * VL) {
        vf a = loadv(x + i), b = loadv(x + i + VL);
        m0 = select(a > m0, a, m0);
        m1 = select(b > m1, b, m1);
    }
    if (i + VL <= count) { vf a = loadv(x + i); m0 = select(a > m0, a, m0); i += VL; }
    if (i < count) { vf a = load_part(x + i, count - i, -INFINITY); m1 = select(a > m1, a, m1); }
    m0 = select(m1 > m0, m1, m0);
    float best = m0[0];
    for (int l = 1; l < VL; l++) if (m0[l] > best) best = m0[l];
    return best;
}

static void k_layernorm_forward(float *out, float *mean, float *rstd, const float *in, const float *weight,
                                const float *bias, long C, float eps, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *x = in + n * C; /* [C] */
        float *y = out + n * C;      /* [C] */
        float row_mean = (float)(blocked_sum(x, C, TERM_IDENTITY, 0) / (double)C);
        double variance = blocked_sum(x, C, TERM_SQUARED_DEVIATION, row_mean) / (double)C;
        float row_rstd = (float)(1 / sqrt(variance + (double)eps));
        vf centre = splat(row_mean), s = splat(row_rstd);
        long i = 0;
        for (; i + VL <= C; i += VL) storev(y + i, (loadv(x + i) - centre) * s * loadv(weight + i) + loadv(bias + i));
        if (i < C) {
            long lanes = C - i;
            vf xhat = (load_part(x + i, lanes, 0) - centre) * s;
            store_part(y + i, xhat * load_part(weight + i, lanes, 0) + load_part(bias + i, lanes, 0), lanes);
        }
        mean[n] = row_mean;
        rstd[n] = row_rstd;
    }
}

/* x̂ = (x − mean)·rstd, g = d·w: dx = (g − mean(g) − x̂·mean(g·x̂))·rstd, dw = d·x̂, db = d. */
static void k_layernorm_backward(float *d_in, float *d_weight, float *d_bias, const float *d_out, const float *in,
                                 const float *weight, const float *mean, const float *rstd, long C, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *x = in + n * C, *d = d_out + n * C; /* [C], [C] */
        float *dx = d_in + n * C;                         /* [C] */
        vf centre = splat(mean[n]), s = splat(rstd[n]);
        /* row sums of g and g·x̂ (zero-filled tail lanes add 0) */
        vf sum_g = splat(0), sum_gxhat = splat(0);
        for (long i = 0; i < C; i += VL) {
            vf xi = load_lanes(x + i, C - i), di = load_lanes(d + i, C - i), wi = load_lanes(weight + i, C - i);
            vf g = di * wi;
            sum_g += g;
            sum_gxhat += g * ((xi - centre) * s);
        }
        vf mean_g = splat(hsum(sum_g) / (float)C), mean_gxhat = splat(hsum(sum_gxhat) / (float)C);
        for (long i = 0; i < C; i += VL) {
            long lanes = C - i;
            vf xi = load_lanes(x + i, lanes), di = load_lanes(d + i, lanes), wi = load_lanes(weight + i, lanes);
            vf xhat = (xi - centre) * s;
            vf step = (di * wi - mean_g - xhat * mean_gxhat) * s;
            store_lanes(dx + i, load_lanes(dx + i, lanes) + step, lanes);
            store_lanes(d_weight + i, load_lanes(d_weight + i, lanes) + di * xhat, lanes);
            store_lanes(d_bias + i, load_lanes(d_bias + i, lanes) + di, lanes);
        }
    }
}

static void k_rmsnorm_forward(float *out, float *rstd, const float *in, const float *weight, long C, float eps,
                              long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *x = in + n * C; /* [C] */
        float *y = out + n * C;      /* [C] */
        double mean_square = blocked_sum(x, C, TERM_SQUARE, 0) / (double)C;
        float row_rstd = (float)(1 / sqrt(mean_square + (double)eps));
        vf s = splat(row_rstd);
        long i = 0;
        for (; i + VL <= C; i += VL) storev(y + i, loadv(weight + i) * (loadv(x + i) * s));
        if (i < C) store_part(y + i, load_part(weight + i, C - i, 0) * (load_part(x + i, C - i, 0) * s), C - i);
        rstd[n] = row_rstd;
    }
}

/* dx = d·w·rstd − x·rstd³·mean(d·w·x), dw = d·x·rstd. */
static void k_rmsnorm_backward(float *d_in, float *d_weight, const float *d_out, const float *in, const float *weight,
                               const float *rstd, long C, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *x = in + n * C, *d = d_out + n * C; /* [C], [C] */
        float *dx = d_in + n * C;                         /* [C] */
        float row_rstd = rstd[n];
        vf s = splat(row_rstd), dot = splat(0);
        for (long i = 0; i < C; i += VL) {
            vf xi = load_lanes(x + i, C - i), di = load_lanes(d + i, C - i), wi = load_lanes(weight + i, C - i);
            dot += di * wi * xi;
        }
        vf coefficient = splat(row_rstd * row_rstd * row_rstd * hsum(dot) / (float)C);
        for (long i = 0; i < C; i += VL) {
            long lanes = C - i;
            vf xi = load_lanes(x + i, lanes), di = load_lanes(d + i, lanes), wi = load_lanes(weight + i, lanes);
            store_lanes(dx + i, load_lanes(dx + i, lanes) + (di * wi * s - xi * coefficient), lanes);
            store_lanes(d_weight + i, load_lanes(d_weight + i, lanes) + di * (xi * s), lanes);
        }
    }
}

/* (a, b) = (x[i], x[i + D/2]) ↦ (a·c − b·s, b·c + a·s), vector by vector with a partial tail. */
static void k_rope(float *x, const int32_t *positions, const float *cos_table, const float *sin_table, long heads,
                   long D, long row_stride, int inverse, long lo, long hi) {
    const long half = D / 2;
    const float sign = inverse ? -1.0f : 1.0f;
    for (long n = lo; n < hi; n++) {
        const float *cosines = cos_table + (long)positions[n] * half; /* [D/2] */
        const float *sines = sin_table + (long)positions[n] * half;   /* [D/2] */
        for (long h = 0; h < heads; h++) {
            float *first = x + n * row_stride + h * D; /* [D/2] */
            float *second = first + half;              /* [D/2] */
            for (long i = 0; i < half; i += VL) {
                long lanes = half - i;
                vf a = load_lanes(first + i, lanes), b = load_lanes(second + i, lanes);
                vf c = load_lanes(cosines + i, lanes), s = sign * load_lanes(sines + i, lanes);
                store_lanes(first + i, a * c - b * s, lanes);
                store_lanes(second + i, b * c + a * s, lanes);
            }
        }
    }
}

static void k_embedding_forward(float *out, const int32_t *ids, const float *table, long C, int accumulate, long lo,
                                long hi) {
    for (long n = lo; n < hi; n++) {
        const float *source = table + (long)ids[n] * C; /* [C] */
        float *target = out + n * C;                    /* [C] */
        if (accumulate) k_add(target, target, source, 0, C);
        else memcpy(target, source, (size_t)C * sizeof(float));
    }
}

static void k_embedding_backward(float *d_table, const float *d_out, const int32_t *ids, long N, long C, long lo,
                                 long hi) {
    for (long n = 0; n < N; n++) {
        float *target = d_table + (long)ids[n] * C; /* [C] */
        const float *gradient = d_out + n * C;      /* [C] */
        k_add(target + lo, target + lo, gradient + lo, 0, hi - lo);
    }
}
