/// Attention kernels: training attention (forward saving the probabilities, backward in three deterministic
/// kernels) and incremental attention over the KV cache (append, then attend).
///
/// One block per (query, head, batch row) with a warp per key for the dot products; every sum runs in an
/// order fixed by the launch shape (warp xor shuffles, then warps in order, or one thread's loop in index
/// order), and no kernel uses atomics, so the same inputs give the same bits on every run.
/// A fused flash-style kernel (scores never written to memory, tensor cores) is a later optimisation: the
/// training path has to keep att[B,H,T,T] for the backward anyway.
enum AttentionKernels {
    static let program = KernelProgram(name: "attention", source: source, kernels: [
        "rlhf_attention_forward", "rlhf_attention_backward_scores", "rlhf_attention_backward_query",
        "rlhf_attention_backward_key_value", "rlhf_cached_attention_append", "rlhf_cached_attention_attend",
    ])

    static let source = #"""
/* One query row of grouped-query attention. Grid (T, H, B), block a multiple of 32 threads; dynamic shared:
   D floats (the query). qkv[B,T,(H+2KV)·D], keyMask[B,T] (1 real, 0 padding) or null.
   att[B,H,T,T] row (b,h,t): softmax over keys j < visible (j ≤ t when causal, every j when not) with mask 1,
   0 at masked keys and past `visible`; all 0 when no key is visible. out[B,T,H·D] row: Σ_j att[j]·v_j. */
extern "C" __global__ void rlhf_attention_forward(float* out, float* att, const float* qkv, const float* keyMask,
                                                  int T, int H, int KV, int D, int causal, float scale) {
    extern __shared__ float q[];  /* [D] */
    __shared__ float reduce[32];
    int t = blockIdx.x, h = blockIdx.y, b = blockIdx.z, kvh = h / (H / KV);
    long long S = (long long)(H + 2 * KV) * D;
    const float* base = qkv + (long long)b * T * S;
    const float* keys = base + (long long)(H + kvh) * D;         /* key j at keys + j·S */
    const float* values = base + (long long)(H + KV + kvh) * D;  /* value j at values + j·S */
    const float* mask = keyMask ? keyMask + (long long)b * T : 0;
    float* a = att + (((long long)b * H + h) * T + t) * T;       /* [T] */
    float* o = out + ((long long)b * T + t) * H * D + (long long)h * D;  /* [D] */
    int visible = causal ? t + 1 : T;
    for (int d = threadIdx.x; d < D; d += blockDim.x) q[d] = base[(long long)t * S + (long long)h * D + d];
    __syncthreads();
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    float localMax = RLHF_NEG_INF;
    for (int j = warp; j < visible; j += warps) {  /* a warp per key; scores parked in the att row */
        float s = RLHF_NEG_INF;
        if (!mask || mask[j] != 0.0f) {
            const float* k = keys + (long long)j * S;
            float partial = 0.0f;
            for (int d = lane; d < D; d += 32) partial += q[d] * k[d];
            s = rlhf_warp_sum(partial) * scale;
        }
        if (lane == 0) a[j] = s;
        localMax = fmaxf(localMax, s);
    }
    float maxScore = rlhf_block_max(localMax, reduce);
    if (maxScore == RLHF_NEG_INF) {  /* no visible key (a left-pad query): zero probabilities and output */
        for (int j = threadIdx.x; j < T; j += blockDim.x) a[j] = 0.0f;
        for (int d = threadIdx.x; d < D; d += blockDim.x) o[d] = 0.0f;
        return;
    }
    float localSum = 0.0f;
    for (int j = threadIdx.x; j < visible; j += blockDim.x) {
        float e = expf(a[j] - maxScore);  /* masked keys hold −inf: e = 0 */
        a[j] = e;
        localSum += e;
    }
    float inverse = 1.0f / rlhf_block_sum(localSum, reduce);
    for (int j = threadIdx.x; j < T; j += blockDim.x) a[j] = j < visible ? a[j] * inverse : 0.0f;
    __syncthreads();
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float acc = 0.0f;
        for (int j = 0; j < visible; ++j) acc += a[j] * values[(long long)j * S + d];
        o[d] = acc;
    }
}

/* Backward, step 1, one query row: dAtt[j] = dOut[b,t,h,:]·v_j, then dScores[j] = att[j]·(dAtt[j] − Σ_j dAtt·att)·scale
   over visible keys, 0 past them. Grid (T, H, B), block a multiple of 32; dynamic shared: D floats (the dOut row).
   dScores[B,H,T,T] (scratch), att[B,H,T,T], dOut[B,T,H·D], qkv[B,T,(H+2KV)·D]. */
extern "C" __global__ void rlhf_attention_backward_scores(float* dScores, const float* att, const float* dOut,
                                                          const float* qkv, int T, int H, int KV, int D, int causal,
                                                          float scale) {
    extern __shared__ float dO[];  /* [D] */
    __shared__ float reduce[32];
    int t = blockIdx.x, h = blockIdx.y, b = blockIdx.z, kvh = h / (H / KV);
    long long S = (long long)(H + 2 * KV) * D;
    const float* values = qkv + (long long)b * T * S + (long long)(H + KV + kvh) * D;  /* value j at values + j·S */
    long long row = (((long long)b * H + h) * T + t) * T;
    const float* p = att + row;  /* [T] */
    float* ds = dScores + row;   /* [T] */
    int visible = causal ? t + 1 : T;
    for (int d = threadIdx.x; d < D; d += blockDim.x) dO[d] = dOut[((long long)b * T + t) * H * D + (long long)h * D + d];
    __syncthreads();
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    float localDot = 0.0f;
    for (int j = warp; j < visible; j += warps) {
        const float* v = values + (long long)j * S;
        float partial = 0.0f;
        for (int d = lane; d < D; d += 32) partial += dO[d] * v[d];
        float dA = rlhf_warp_sum(partial);
        if (lane == 0) { ds[j] = dA; localDot += dA * p[j]; }
    }
    float dot = rlhf_block_sum(localDot, reduce);
    for (int j = threadIdx.x; j < T; j += blockDim.x) ds[j] = j < visible ? p[j] * (ds[j] - dot) * scale : 0.0f;
}

/* Backward, step 2: dQ (=). dQKV[b,t,h·D+d] = Σ_{j<visible} dScores[b,h,t,j]·k_j[d], j in order.
   One thread per (b,t,h,d) of [B,T,H,D]. */
extern "C" __global__ void rlhf_attention_backward_query(float* dQKV, const float* dScores, const float* qkv,
                                                         int B, int T, int H, int KV, int D, int causal) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * T * H * D) return;
    int d = (int)(i % D), h = (int)((i / D) % H), t = (int)((i / ((long long)D * H)) % T);
    int b = (int)(i / ((long long)D * H * T)), kvh = h / (H / KV);
    long long S = (long long)(H + 2 * KV) * D;
    const float* keys = qkv + (long long)b * T * S + (long long)(H + kvh) * D + d;  /* k_j[d] at keys + j·S */
    const float* ds = dScores + (((long long)b * H + h) * T + t) * T;                 /* [T] */
    int visible = causal ? t + 1 : T;
    float acc = 0.0f;
    for (int j = 0; j < visible; ++j) acc += ds[j] * keys[(long long)j * S];
    dQKV[((long long)b * T + t) * S + (long long)h * D + d] = acc;
}

/* Backward, step 3: dK and dV (=) of key position s of KV head kvh, summed over the group's query heads h in order,
   then queries t in order (t ≥ s when causal): dK[s,d] = Σ dScores[b,h,t,s]·q_t[d], dV[s,d] = Σ att[b,h,t,s]·dOut[b,t,h,d].
   One thread per (b,kvh,s,d) of [B,KV,T,D]: no two threads write the same float, so no atomics. */
extern "C" __global__ void rlhf_attention_backward_key_value(float* dQKV, const float* dScores, const float* att,
                                                             const float* dOut, const float* qkv, int B, int T, int H,
                                                             int KV, int D, int causal) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * KV * T * D) return;
    int d = (int)(i % D), s = (int)((i / D) % T), kvh = (int)((i / ((long long)D * T)) % KV);
    int b = (int)(i / ((long long)D * T * KV)), group = H / KV;
    long long S = (long long)(H + 2 * KV) * D, OS = (long long)H * D;
    float dk = 0.0f, dv = 0.0f;
    for (int g = 0; g < group; ++g) {
        int h = kvh * group + g;
        long long column = ((long long)b * H + h) * T * T + s;  /* (b,h,t,s) at column + t·T */
        const float* q = qkv + (long long)b * T * S + (long long)h * D + d;  /* q_t[d] at q + t·S */
        const float* dO = dOut + (long long)b * T * OS + (long long)h * D + d;  /* dOut[b,t,h,d] at dO + t·OS */
        for (int t = causal ? s : 0; t < T; ++t) {
            long long at = column + (long long)t * T;
            dk += dScores[at] * q[(long long)t * S];
            dv += att[at] * dO[(long long)t * OS];
        }
    }
    float* row = dQKV + ((long long)b * T + s) * S;
    row[(long long)(H + kvh) * D + d] = dk;
    row[(long long)(H + KV + kvh) * D + d] = dv;
}

/* Cache append: keys[b,kvh,past+t,d] = qkv[b,t,(H+kvh)·D+d], values[b,kvh,past+t,d] = qkv[b,t,(H+KV+kvh)·D+d].
   keys/values [B,KV,P,D], qkv[B,Tn,(H+2KV)·D]. One thread per (b,t,kvh,d) of [B,Tn,KV,D]. */
extern "C" __global__ void rlhf_cached_attention_append(float* keys, float* values, const float* qkv, int B, int Tn,
                                                        int H, int KV, int D, int P, int past) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * Tn * KV * D) return;
    int d = (int)(i % D), kvh = (int)((i / D) % KV), t = (int)((i / ((long long)D * KV)) % Tn);
    int b = (int)(i / ((long long)D * KV * Tn));
    const float* row = qkv + ((long long)b * Tn + t) * (long long)(H + 2 * KV) * D;
    long long at = (((long long)b * KV + kvh) * P + past + t) * D + d;
    keys[at] = row[(long long)(H + kvh) * D + d];
    values[at] = row[(long long)(H + KV + kvh) * D + d];
}

/* One new query (b,t,h) against cached keys j ≤ past + t with mask[b,j] != 0, as the CPU's rlhf_cached_attention:
   scores q·k_j·scale, e_j = exp(s_j − max) (0 at masked keys), out[b,t,h·D+d] = Σ_j (e_j / Σe)·v_j[d] over e_j != 0
   in key order (fused multiply-adds); 0 when no key is visible. Grid (Tn, H, B), block a multiple of 32.
   qkv[B,Tn,(H+2KV)·D], keys/values [B,KV,P,D], mask[B,P], out[B,Tn,H·D]. Dynamic shared: D floats (the query),
   then past+Tn floats of scores unless `scores` is non-null: then block (b,h,t) keeps them at
   scores + ((b·H + h)·Tn + t)·(past+Tn). */
extern "C" __global__ void rlhf_cached_attention_attend(float* out, const float* qkv, const float* keys,
                                                        const float* values, const float* mask, float* scores, int Tn,
                                                        int H, int KV, int D, int P, int past, float scale) {
    extern __shared__ float shared[];
    __shared__ float reduce[32];
    int t = blockIdx.x, h = blockIdx.y, b = blockIdx.z, kvh = h / (H / KV), width = past + Tn;
    float* q = shared;  /* [D] */
    float* e = scores ? scores + (((long long)b * H + h) * Tn + t) * width : shared + D;  /* [past+Tn] */
    const float* k = keys + ((long long)b * KV + kvh) * P * D;    /* [P,D] */
    const float* v = values + ((long long)b * KV + kvh) * P * D;  /* [P,D] */
    const float* m = mask + (long long)b * P;                     /* [P] */
    float* o = out + ((long long)b * Tn + t) * H * D + (long long)h * D;
    const float* queryRow = qkv + ((long long)b * Tn + t) * (long long)(H + 2 * KV) * D + (long long)h * D;
    int visible = past + t + 1;
    for (int d = threadIdx.x; d < D; d += blockDim.x) q[d] = queryRow[d];
    __syncthreads();
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    float localMax = RLHF_NEG_INF;
    for (int j = warp; j < visible; j += warps) {
        float s = RLHF_NEG_INF;
        if (m[j] != 0.0f) {
            const float* key = k + (long long)j * D;
            float partial = 0.0f;
            for (int d = lane; d < D; d += 32) partial += q[d] * key[d];
            s = rlhf_warp_sum(partial) * scale;
        }
        if (lane == 0) e[j] = s;
        localMax = fmaxf(localMax, s);
    }
    float maxScore = rlhf_block_max(localMax, reduce);
    if (maxScore == RLHF_NEG_INF) {
        for (int d = threadIdx.x; d < D; d += blockDim.x) o[d] = 0.0f;
        return;
    }
    float localSum = 0.0f;
    for (int j = threadIdx.x; j < visible; j += blockDim.x) {
        float s = e[j];
        float w = s == RLHF_NEG_INF ? 0.0f : expf(s - maxScore);
        e[j] = w;
        localSum += w;
    }
    float inverse = 1.0f / rlhf_block_sum(localSum, reduce);
    for (int d = threadIdx.x; d < D; d += blockDim.x) {
        float acc = 0.0f;
        for (int j = 0; j < visible; ++j) {
            float w = e[j];
            if (w != 0.0f) acc = fmaf(w * inverse, v[(long long)j * D + d], acc);
        }
        o[d] = acc;
    }
}
"""#
}
