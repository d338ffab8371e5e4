/* One instruction-set variant's vector vocabulary, included once by each variant's .c file after it defines
 *   VL            lanes of `vf` (8, or 16 for 512-bit vectors)
 *   RLHF_HAS_FMA  1: `FMA` is one fused multiply-add instruction; 0: a multiply, then an add
 * Everything here is static, so each variant file gets its own copy compiled for its target.
 * Kernels run full vectors and send a row's last few elements through the same vector math with
 * `load_part`/`store_part`, so every element of a row gets identical arithmetic. */
#pragma clang diagnostic ignored "-Wpsabi" /* vector arguments of static functions: no ABI to keep */
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float vf __attribute__((vector_size(VL * 4)));     /* VL floats */
typedef int32_t vi __attribute__((vector_size(VL * 4)));   /* VL lane masks / integers */
typedef double vd __attribute__((vector_size(VL * 8)));    /* VL doubles */
typedef float v8f __attribute__((vector_size(32)));        /* 8 floats, for the fixed 8/24-wide matmul layouts */

#if RLHF_HAS_FMA
#define FMA(a, b, c) __builtin_elementwise_fma((a), (b), (c)) /* a·b + c, rounded once */
#else
#define FMA(a, b, c) ((a) * (b) + (c))                        /* a·b + c, rounded twice (contraction is off) */
#endif

/* x in every lane (lane by lane: `(vf){0} + x` would cost a real 0 + x, which strict FP semantics keep). */
static inline vf splat(float x) {
    vf v;
    for (int l = 0; l < VL; l++) v[l] = x;
    return v;
}
static inline v8f splat8(float x) {
    v8f v;
    for (int l = 0; l < 8; l++) v[l] = x;
    return v;
}

/* The VL floats at p (unaligned). */
static inline vf loadv(const float *p) { vf v; memcpy(&v, p, sizeof v); return v; }
static inline void storev(float *p, vf v) { memcpy(p, &v, sizeof v); }
static inline v8f load8(const float *p) { v8f v; memcpy(&v, p, sizeof v); return v; }
static inline void store8(float *p, v8f v) { memcpy(p, &v, sizeof v); }

/* The first n (< VL) floats at p, other lanes `fill`. */
static inline vf load_part(const float *p, long n, float fill) {
    float t[VL];
    for (int l = 0; l < VL; l++) t[l] = l < n ? p[l] : fill;
    return loadv(t);
}

/* Writes the first n (< VL) lanes of v to p. */
static inline void store_part(float *p, vf v, long n) {
    float t[VL];
    storev(t, v);
    for (long l = 0; l < n; l++) p[l] = t[l];
}

/* The first min(n, VL) floats at p (zero past them, all zero for n ≤ 0). */
static inline vf load_lanes(const float *p, long n) { return n >= VL ? loadv(p) : load_part(p, n < 0 ? 0 : n, 0); }
static inline void store_lanes(float *p, vf v, long n) {
    if (n >= VL) storev(p, v); else if (n > 0) store_part(p, v, n);
}

/* The same for 8-float vectors (n may be ≤ 0 or ≥ 8). */
static inline v8f load8_lanes(const float *p, long n) {
    if (n >= 8) return load8(p);
    float t[8];
    for (int l = 0; l < 8; l++) t[l] = l < n ? p[l] : 0;
    return load8(t);
}
static inline void store8_lanes(float *p, v8f v, long n) {
    if (n >= 8) { store8(p, v); return; }
    float t[8];
    store8(t, v);
    for (long l = 0; l < n; l++) p[l] = t[l];
}

/* Lane-wise `mask ? a : b` for a mask from a vector comparison. */
static inline vf select(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }

/* v with the lanes at and after n (< VL) set to zero. */
static inline vf keep_lanes(vf v, long n) {
    int32_t t[VL];
    for (int l = 0; l < VL; l++) t[l] = l;
    vi lanes;
    memcpy(&lanes, t, sizeof lanes);
    return select(lanes < (int32_t)n, v, splat(0));
}

/* Σ of the lanes, as a tree (halves added first). */
static inline float hsum(vf v) {
    float t[VL];
    storev(t, v);
    for (int w = VL / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++) t[l] += t[l + w];
    return t[0];
}
static inline float hsum8(v8f v) {
    float t[8];
    store8(t, v);
    for (int w = 4; w >= 1; w /= 2)
        for (int l = 0; l < w; l++) t[l] += t[l + w];
    return t[0];
}
static inline double hsum_d(vd v) {
    double t[VL];
    memcpy(t, &v, sizeof t);
    for (int w = VL / 2; w >= 1; w /= 2)
        for (int l = 0; l < w; l++) t[l] += t[l + w];
    return t[0];
}

/* Asks for the line at p in L2 (read, low locality: a streamed weight must not evict L1). */
static inline void prefetch_l2(const void *p) { __builtin_prefetch(p, 0, 1); }

/* e^x per lane, Cephes style: x = n·ln2 + r, |r| ≤ ln2/2, degree-5 polynomial for e^r (relative error below
 * 1e-7), 2^n through the exponent bits. Below ln(FLT_MIN) gives 0, above 127·ln2 gives +inf, NaN stays NaN.
 * (The same constants and operation order as Swift's FastMath.exp.) */
static inline vf vexp(vf x) {
    const vf magic = splat(12582912.0f); /* 1.5·2^23: adding it rounds to an integer in the low mantissa bits */
    vf shifted = FMA(x, splat(1.4426950408889634f), magic);
    vf n = shifted - magic;
    vf r = FMA(n, splat(-0.693359375f), x);
    r = FMA(n, splat(2.12194440e-4f), r);
    vf p = splat(1.98756915e-4f);
    p = FMA(p, r, splat(1.3981999507e-3f));
    p = FMA(p, r, splat(8.3334519073e-3f));
    p = FMA(p, r, splat(4.1665795894e-2f));
    p = FMA(p, r, splat(1.6666665459e-1f));
    p = FMA(p, r, splat(5.0000001201e-1f));
    vf y = FMA(p, r * r, r) + 1.0f;
    vi exponent = ((vi)shifted - (0x4B400000 - 127)) << 23;
    vf result = y * (vf)exponent;
    result = select(x < splat(-87.33654f), splat(0), result);
    result = select(x > splat(88.37626f), splat(INFINITY), result);
    return result;
}

/* e^x for one value (lane 0 of the vector code). */
static inline float sexp(float x) { return vexp(splat(x))[0]; }

/* 1 / (1 + e^(−x)) per lane. */
static inline vf vsigmoid(vf x) { return 1.0f / (1.0f + vexp(-x)); }
