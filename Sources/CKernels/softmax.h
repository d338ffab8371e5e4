/* Softmax-family kernels: attention rows, cached attention, cross-entropy, log-probs, sampling weights
 * (one variant's copy; see simd.h). */

/* Logits per block of the one-pass log-sum-exp (8 KiB, so the second look at a block hits L1). */
#define LOGSUMEXP_BLOCK 2048

/* log Σ e^(x[v]) over V values in one pass: each block is shifted by its own max and summed (blocked_sum),
 * blocks merge as a running (max, sum) pair in double. All −inf blocks add nothing; a +inf gives +inf. */
static double logsumexp(const float *x, long V) {
    double running_max = -INFINITY, running_sum = 0;
    for (long start = 0; start < V;) {
        long length = V - start < LOGSUMEXP_BLOCK ? V - start : LOGSUMEXP_BLOCK;
        const float *block = x + start; /* [length] */
        start += length;
        float block_max = k_row_max(block, length);
        if (block_max == -INFINITY) continue;
        if (block_max == INFINITY) return INFINITY;
        double block_sum = blocked_sum(block, length, TERM_SHIFTED_EXP, block_max);
        double m = block_max;
        if (m > running_max) {
            running_sum = running_sum * exp(running_max - m) + block_sum;
            running_max = m;
        } else {
            running_sum += block_sum * exp(m - running_max);
        }
    }
    return running_max + log(running_sum);
}

static void k_cross_entropy_forward(float *losses, float *lse, const float *logits, const int32_t *targets, long V,
                                    long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *row = logits + n * V; /* [V] */
        double row_lse = logsumexp(row, V);
        lse[n] = (float)row_lse;
        losses[n] = targets[n] < 0 ? 0 : (float)(row_lse - (double)row[targets[n]]);
    }
}

static void k_cross_entropy_backward(float *d_logits, const float *logits, const float *lse, const int32_t *targets,
                                     const float *d_loss, long V, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *row = logits + n * V; /* [V] */
        float *gradient = d_logits + n * V; /* [V] */
        long t = targets[n];
        if (t < 0) { memset(gradient, 0, (size_t)V * sizeof(float)); continue; }
        float row_lse = lse[n], row_scale = d_loss[n];
        /* read the target logit before an in-place pass overwrites it */
        float target_gradient = (sexp(row[t] - row_lse) - 1) * row_scale;
        vf shift = splat(row_lse), s = splat(row_scale);
        long i = 0;
        for (; i + VL <= V; i += VL) storev(gradient + i, vexp(loadv(row + i) - shift) * s);
        if (i < V) store_part(gradient + i, vexp(load_part(row + i, V - i, 0) - shift) * s, V - i);
        gradient[t] = target_gradient;
    }
}

static void k_log_softmax_gather(float *out, const float *logits, const int32_t *targets, long V, long lo, long hi) {
    for (long n = lo; n < hi; n++) {
        const float *row = logits + n * V; /* [V] */
        out[n] = targets[n] < 0 ? 0 : (float)((double)row[targets[n]] - logsumexp(row, V));
    }
}

static double k_exp_shifted(const float *x, float *out, long count, float shift, float scale) {
    vf s = splat(shift), k = splat(scale), block = splat(0);
    double total = 0;
    long i = 0;
    while (i + VL <= count) {
        vf e = vexp((loadv(x + i) - s) * k);
        storev(out + i, e);
        block += e;
        i += VL;
        /* fold into double every 512 values so a 50k vocabulary sums without float drift */
        if ((i & 511) == 0) { total += (double)hsum(block); block = splat(0); }
    }
    total += (double)hsum(block);
    if (i < count) {
        vf e = vexp((load_part(x + i, count - i, 0) - s) * k);
        store_part(out + i, e, count - i);
        total += (double)hsum(keep_lanes(e, count - i));
    }
    return total;
}

/* Softmax of row t of a[T,T] over keys j with mask[j] != 0: j ≤ t when causal (0 past t), every j when not.
 * No visible key: all zero. */
static void k_softmax_rows(float *a, const float *mask, long T, int causal) {
    for (long t = 0; t < T; t++) {
        float *row = a + t * T; /* [T] */
        long visible = causal ? t + 1 : T;
        vf m = splat(-INFINITY);
        for (long j = 0; j < visible; j += VL) {
            long lanes = visible - j;
            vf x = lanes >= VL ? loadv(row + j) : load_part(row + j, lanes, -INFINITY);
            if (mask) x = select(load_lanes(mask + j, lanes) != 0.0f, x, splat(-INFINITY));
            m = select(x > m, x, m);
        }
        float max_value = m[0];
        for (int l = 1; l < VL; l++) if (m[l] > max_value) max_value = m[l];
        if (max_value == -INFINITY) { memset(row, 0, (size_t)T * sizeof(float)); continue; }
        vf shift = splat(max_value), sum = splat(0);
        for (long j = 0; j < visible; j += VL) {
            long lanes = visible - j;
            vf e = vexp(load_lanes(row + j, lanes) - shift);
            if (mask) e = select(load_lanes(mask + j, lanes) != 0.0f, e, splat(0));
            if (lanes < VL) e = keep_lanes(e, lanes);
            store_lanes(row + j, e, lanes);
            sum += e;
        }
        vf inv = splat(1 / hsum(sum));
        for (long j = 0; j < visible; j += VL) store_lanes(row + j, load_lanes(row + j, visible - j) * inv, visible - j);
        if (visible < T) memset(row + visible, 0, (size_t)(T - visible) * sizeof(float));
    }
}

/* dScores[j] = p[j]·(dP[j] − Σ dP·p)·scale over row t's visible keys (j ≤ t when causal, all j when not),
 * 0 past them. */
static void k_softmax_backward_rows(float *d_a, const float *p, long T, float scale, int causal) {
    for (long t = 0; t < T; t++) {
        float *d = d_a + t * T;           /* [T] */
        const float *probs = p + t * T;   /* [T] */
        long visible = causal ? t + 1 : T;
        vf acc = splat(0);
        for (long j = 0; j < visible; j += VL) acc += load_lanes(d + j, visible - j) * load_lanes(probs + j, visible - j);
        vf dot = splat(hsum(acc));
        for (long j = 0; j < visible; j += VL) {
            long lanes = visible - j;
            store_lanes(d + j, load_lanes(probs + j, lanes) * (load_lanes(d + j, lanes) - dot) * scale, lanes);
        }
        if (visible < T) memset(d + visible, 0, (size_t)(T - visible) * sizeof(float));
    }
}

/* Σ a[i]·b[i] over n floats (fused multiply-adds, tail scalar). */
static inline float dot(const float *a, const float *b, long n) {
    vf acc = splat(0);
    long i = 0;
    for (; i + VL <= n; i += VL) acc = FMA(loadv(a + i), loadv(b + i), acc);
    float s = hsum(acc);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

/* y[i] += alpha·x[i] over n floats. */
static inline void axpy(float alpha, const float *x, float *y, long n) {
    const vf a = splat(alpha);
    long i = 0;
    for (; i + VL <= n; i += VL) storev(y + i, FMA(a, loadv(x + i), loadv(y + i)));
    for (; i < n; i++) y[i] += alpha * x[i];
}

static void k_cached_attention(float *out, const float *qkv, float *keys_all, float *values_all, const float *mask_all,
                               float *scores, const rlhf_cached_attention_dims *dims, long lo, long hi) {
    const long Tn = dims->new_tokens, H = dims->heads, KV = dims->kv_heads, D = dims->head_dim;
    const long P = dims->capacity, past = dims->past, S = (H + 2 * KV) * D, OS = H * D, group = H / KV;
    const float scale = 1 / sqrtf((float)D);
    for (long bkv = lo; bkv < hi; bkv++) {
        long b = bkv / KV, kvh = bkv % KV;
        float *keys = keys_all + (b * KV + kvh) * P * D;      /* [P,D] */
        float *values = values_all + (b * KV + kvh) * P * D;  /* [P,D] */
        const float *mask = mask_all + b * P;                 /* [P] */
        for (long t = 0; t < Tn; t++) {
            const float *row = qkv + (b * Tn + t) * S;
            memcpy(keys + (past + t) * D, row + (H + kvh) * D, (size_t)D * sizeof(float));
            memcpy(values + (past + t) * D, row + (H + KV + kvh) * D, (size_t)D * sizeof(float));
        }
        for (long g = 0; g < group; g++) {
            long h = kvh * group + g;
            for (long t = 0; t < Tn; t++) {
                const float *q = qkv + (b * Tn + t) * S + h * D;  /* [D] */
                float *o = out + (b * Tn + t) * OS + h * D;       /* [D] */
                long visible = past + t + 1;
                float max_score = -INFINITY;
                for (long j = 0; j < visible; j++) {
                    if (mask[j] == 0) { scores[j] = -INFINITY; continue; }
                    float s = dot(q, keys + j * D, D) * scale;
                    scores[j] = s;
                    if (s > max_score) max_score = s;
                }
                memset(o, 0, (size_t)D * sizeof(float));
                if (max_score == -INFINITY) continue;
                /* e^(s − max), masked keys 0 */
                vf shift = splat(max_score), sum = splat(0);
                for (long j = 0; j < visible; j += VL) {
                    long lanes = visible - j;
                    vf s = lanes >= VL ? loadv(scores + j) : load_part(scores + j, lanes, -INFINITY);
                    vf e = select(s == splat(-INFINITY), splat(0), vexp(s - shift));
                    store_lanes(scores + j, e, lanes);
                    sum += e;
                }
                float inv = 1 / hsum(sum);
                for (long j = 0; j < visible; j++) {
                    if (scores[j] != 0) axpy(scores[j] * inv, values + j * D, o, D);
                }
            }
        }
    }
}

/* log Σ e^z and (when asked) the entropy of softmax(z), z = row·k, over V logits: float vector partial sums of
 * e^(z − max z) and e^(z − max z)·(z − max z), folded into double every 512 values. */
static void temperature_statistics(const float *row, long V, float k, int wants_entropy, double *lse, double *entropy) {
    float max_logit = k_row_max(row, V);
    if (max_logit == INFINITY || max_logit == -INFINITY) { *lse = max_logit; *entropy = NAN; return; }
    float shift = max_logit * k; /* max z */
    vf s = splat(shift), scale = splat(k), block_sum = splat(0), block_weighted = splat(0);
    double sum = 0, weighted = 0;
    for (long i = 0; i < V;) {
        long lanes = V - i;
        vf z = load_lanes(row + i, lanes) * scale;
        vf e = vexp(z - s);
        if (lanes < VL) e = keep_lanes(e, lanes);
        block_sum += e;
        if (wants_entropy) block_weighted += e * (z - s);
        i += VL;
        if ((i & 511) == 0 || i >= V) {
            sum += (double)hsum(block_sum);
            weighted += (double)hsum(block_weighted);
            block_sum = splat(0);
            block_weighted = splat(0);
        }
    }
    /* with y = z − max z: lse = max z + log S, H = log S − Σ e^y·y / S */
    double log_sum = log(sum);
    *lse = (double)shift + log_sum;
    *entropy = wants_entropy ? log_sum - weighted / sum : 0;
}

static void k_token_logprobs_forward(float *log_probs, float *entropy, const float *logits, const int32_t *targets,
                                     long V, float temperature, long lo, long hi) {
    const float k = 1 / temperature;
    for (long n = lo; n < hi; n++) {
        const float *row = logits + n * V; /* [V] */
        double lse, h;
        temperature_statistics(row, V, k, entropy != 0, &lse, &h);
        log_probs[n] = targets[n] < 0 ? 0 : (float)((double)(row[targets[n]] * k) - lse);
        if (entropy) entropy[n] = (float)h;
    }
}

/* d/dlogits_v = (1/T)·[wL·(onehot_v − p_v) − wH·p_v·(log p_v + H)]. */
static void k_token_logprobs_backward(float *d_logits, const float *logits, const int32_t *targets,
                                      const float *d_log_probs, const float *d_entropy, long V, float temperature,
                                      long lo, long hi) {
    const float k = 1 / temperature;
    for (long n = lo; n < hi; n++) {
        const float *row = logits + n * V; /* [V] */
        float *gradient = d_logits + n * V; /* [V] */
        long t = targets[n];
        float wL = t < 0 ? 0 : (d_log_probs ? d_log_probs[n] : 0), wH = d_entropy ? d_entropy[n] : 0;
        if (wL == 0 && wH == 0) { memset(gradient, 0, (size_t)V * sizeof(float)); continue; }
        double lse_d, h_d;
        temperature_statistics(row, V, k, wH != 0, &lse_d, &h_d);
        float lse = (float)lse_d, H = (float)h_d;
        /* read the target logit before an in-place pass overwrites it */
        float target_logit = t < 0 ? 0 : row[t];
        vf L = splat(lse), scale = splat(k), cL = splat(-wL * k), cH = splat(-wH * k), hv = splat(H);
        for (long i = 0; i < V; i += VL) {
            long lanes = V - i;
            vf logp = load_lanes(row + i, lanes) * scale - L;
            vf p = vexp(logp);
            store_lanes(gradient + i, cL * p + cH * p * (logp + hv), lanes);
        }
        if (t >= 0) {
            float logp = target_logit * k - lse;
            float p = sexp(logp);
            gradient[t] = wL * k * (1 - p) - wH * k * p * (logp + H);
        }
    }
}
