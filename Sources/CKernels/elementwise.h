/* Element-wise kernels (one variant's copy; see simd.h). */

static void k_add(float *out, const float *a, const float *b, long lo, long hi) {
    long i = lo;
    for (; i + VL <= hi; i += VL) storev(out + i, loadv(a + i) + loadv(b + i));
    for (; i < hi; i++) out[i] = a[i] + b[i];
}

static void k_scale(float *x, float factor, long lo, long hi) {
    long i = lo;
    for (; i + VL <= hi; i += VL) storev(x + i, loadv(x + i) * factor);
    for (; i < hi; i++) x[i] *= factor;
}

static double k_sum_of_squares(const float *x, long lo, long hi) {
    vd lanes = {0};
    long i = lo;
    for (; i + VL <= hi; i += VL) {
        vd v = __builtin_convertvector(loadv(x + i), vd);
        lanes += v * v;
    }
    double sum = hsum_d(lanes);
    for (; i < hi; i++) sum += (double)x[i] * (double)x[i];
    return sum;
}

#define GELU_SCALE 0.7978845608028654f /* √(2/π) */
#define GELU_CUBIC 0.044715f

/* gelu(x) = 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), as the identical x / (1 + e^(−2u)). */
static inline vf gelu(vf x) {
    vf u = GELU_SCALE * (x + GELU_CUBIC * (x * x * x));
    return x / (1.0f + vexp(-2.0f * u));
}

/* gelu'(x)·d with s = sigmoid(2u): gelu' = s + 2·x·s·(1 − s)·u'(x), u' = √(2/π)·(1 + 3·0.044715·x²). */
static inline vf gelu_gradient(vf x, vf d) {
    vf square = x * x;
    vf u = GELU_SCALE * (x + GELU_CUBIC * (square * x));
    vf s = vsigmoid(2.0f * u);
    vf inner_slope = GELU_SCALE * (1.0f + (3.0f * GELU_CUBIC) * square);
    vf sigmoid_slope = s * (1.0f - s);
    vf slope = s + 2.0f * x * sigmoid_slope * inner_slope;
    return slope * d;
}

static void k_gelu_forward(float *out, const float *in, long lo, long hi) {
    long i = lo;
    for (; i + VL <= hi; i += VL) storev(out + i, gelu(loadv(in + i)));
    if (i < hi) store_part(out + i, gelu(load_part(in + i, hi - i, 0)), hi - i);
}

static void k_gelu_backward(float *d_in, const float *d_out, const float *in, long lo, long hi) {
    long i = lo;
    for (; i + VL <= hi; i += VL) storev(d_in + i, gelu_gradient(loadv(in + i), loadv(d_out + i)));
    if (i < hi) {
        long n = hi - i;
        store_part(d_in + i, gelu_gradient(load_part(in + i, n, 0), load_part(d_out + i, n, 0)), n);
    }
}

#define INV_SQRT2 0.7071067811865476f   /* 1/√2 */
#define INV_SQRT2PI 0.3989422804014327f /* 1/√(2π) */

/* Φ(x) = 0.5·(1 + erf(x/√2)), the standard normal CDF, from erfc(z) = (a1·t + … + a5·t⁵)·e^(−z²) with
 * z = |x|/√2 and t = 1/(1 + p·z) (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7): Φ = erfc/2
 * for x < 0 and 1 − erfc/2 otherwise, so the left tail has no cancellation. */
static inline vf normal_cdf(vf x) {
    vf z = select(x < splat(0), -x, x) * INV_SQRT2;
    vf t = 1.0f / (1.0f + 0.3275911f * z);
    vf poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    vf half_erfc = 0.5f * poly * vexp(-(z * z));
    return select(x < splat(0), half_erfc, 1.0f - half_erfc);
}

/* gelu(x) = x·Φ(x) (the exact, erf form). */
static inline vf gelu_erf(vf x) { return x * normal_cdf(x); }

/* gelu'(x)·d = (Φ(x) + x·φ(x))·d, φ(x) = e^(−x²/2)/√(2π). */
static inline vf gelu_erf_gradient(vf x, vf d) {
    vf pdf = INV_SQRT2PI * vexp(-0.5f * (x * x));
    return (normal_cdf(x) + x * pdf) * d;
}

static void k_gelu_erf_forward(float *out, const float *in, long lo, long hi) {
    long i = lo;
    for (; i + VL <= hi; i += VL) storev(out + i, gelu_erf(loadv(in + i)));
    if (i < hi) store_part(out + i, gelu_erf(load_part(in + i, hi - i, 0)), hi - i);
}

static void k_gelu_erf_backward(float *d_in, const float *d_out, const float *in, long lo, long hi) {
    long i = lo;
    for (; i + VL <= hi; i += VL) storev(d_in + i, gelu_erf_gradient(loadv(in + i), loadv(d_out + i)));
    if (i < hi) {
        long n = hi - i;
        store_part(d_in + i, gelu_erf_gradient(load_part(in + i, n, 0), load_part(d_out + i, n, 0)), n);
    }
}

/* silu(g)·u = g / (1 + e^(−g))·u */
static inline vf swiglu(vf g, vf u) { return g / (1.0f + vexp(-g)) * u; }

static void k_swiglu_forward(float *out, const float *gate_up, long F, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *gate = gate_up + n * 2 * F, *up = gate + F; /* [F], [F] */
        float *target = out + n * F;                             /* [F] */
        long i = 0;
        for (; i + VL <= F; i += VL) storev(target + i, swiglu(loadv(gate + i), loadv(up + i)));
        if (i < F) store_part(target + i, swiglu(load_part(gate + i, F - i, 0), load_part(up + i, F - i, 0)), F - i);
    }
}

/* (d gate, d up) = (d·u·s·(1 + g·(1 − s)), d·g·s) with s = sigmoid(g). */
static inline void swiglu_gradient(vf g, vf u, vf d, vf *d_gate, vf *d_up) {
    vf s = vsigmoid(g);
    *d_gate = d * u * (s * (1.0f + g * (1.0f - s)));
    *d_up = d * (g * s);
}

static void k_swiglu_backward(float *d_gate_up, const float *d_out, const float *gate_up, long F, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *gate = gate_up + n * 2 * F, *up = gate + F; /* [F], [F] */
        float *d_gate = d_gate_up + n * 2 * F, *d_up = d_gate + F; /* [F], [F] */
        const float *d = d_out + n * F;                            /* [F] */
        long i = 0;
        vf dg, du;
        for (; i + VL <= F; i += VL) {
            swiglu_gradient(loadv(gate + i), loadv(up + i), loadv(d + i), &dg, &du);
            storev(d_gate + i, dg);
            storev(d_up + i, du);
        }
        if (i < F) {
            long lanes = F - i;
            swiglu_gradient(load_part(gate + i, lanes, 0), load_part(up + i, lanes, 0), load_part(d + i, lanes, 0),
                            &dg, &du);
            store_part(d_gate + i, dg, lanes);
            store_part(d_up + i, du, lanes);
        }
    }
}

/* AdamW in PyTorch's fp32 order (contraction is off, so vector body and scalar tail give the same bits):
 *   p ← p·(1 − lr·λ);  m ← m + (1 − β1)·(g − m);  v ← v·β2 + (1 − β2)·g·g;
 *   p ← p + (−lr/(1 − β1^t))·m / (√v / √(1 − β2^t) + eps)
 * √ of |v| (v ≥ 0 anyway) so the square root is one instruction with no errno path. */
static void k_adamw_update(float *p, const float *g, float *m, float *v, const rlhf_adamw_scalars *s, long lo,
                           long hi) {
    const float decay = s->decay_factor, w1 = s->one_minus_beta1, b2 = s->beta2, w2 = s->one_minus_beta2;
    const float step = s->negative_step_size, bc2 = s->bias_correction2_sqrt, eps = s->epsilon;
    long i = lo;
    for (; i + VL <= hi; i += VL) {
        vf gi = loadv(g + i), pi = loadv(p + i), mi = loadv(m + i), vv = loadv(v + i);
        pi = pi * decay;
        mi = mi + w1 * (gi - mi);
        vv = vv * b2 + w2 * gi * gi;
        vf denominator = __builtin_elementwise_sqrt(__builtin_elementwise_abs(vv)) / bc2 + eps;
        pi = pi + step * (mi / denominator);
        storev(p + i, pi); storev(m + i, mi); storev(v + i, vv);
    }
    for (; i < hi; i++) {
        float gi = g[i], pi = p[i], mi = m[i], vv = v[i];
        pi = pi * decay;
        mi = mi + w1 * (gi - mi);
        vv = vv * b2 + w2 * gi * gi;
        float denominator = __builtin_elementwise_sqrt(__builtin_elementwise_abs(vv)) / bc2 + eps;
        pi = pi + step * (mi / denominator);
        p[i] = pi; m[i] = mi; v[i] = vv;
    }
}
