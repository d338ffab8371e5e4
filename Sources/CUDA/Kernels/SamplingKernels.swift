/// Token sampling kernels: one block per selected row computes the CPU sampler's weights
/// exp((logits − max)/T), their double sum and the first index of the max logit, then either takes that
/// index (greedy), draws by inverse CDF over the full distribution in token order, or (top-k / min-p / top-p)
/// sorts the candidates by weight with a stable block radix sort and applies the filters and the draw over
/// that order, exactly the CPU's sequence of steps. The uniform draw of each row comes from the host
/// (the row's `SplitMix64` stream), so the streams advance as the CPU backend's do.
///
/// Every sum and search runs in an order fixed by the launch shape (no atomics): same inputs, same bits.
/// A later optimisation: a radix select of the top k before sorting, when top-k is the narrowing filter.
enum SamplingKernels {
    /// Threads per sampling block (the kernels' shared arrays are sized for it).
    static let threads = 512

    static let program = KernelProgram(name: "sampling", source: source, kernels: [
        "rlhf_sample_rows", "rlhf_sample_filtered_rows",
    ])

    static let source = #"""
#define RLHF_SAMPLE_THREADS 512
#define RLHF_SAMPLE_NO_INDEX 0x7fffffff

/* Minimum over the block (every thread calls; all get the result). `shared` holds 32 ints. */
static __device__ int rlhf_sample_block_min(int v, int* shared) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int o = 16; o > 0; o >>= 1) v = min(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    int r = lane < warps ? shared[lane] : RLHF_SAMPLE_NO_INDEX;
    for (int o = 16; o > 0; o >>= 1) r = min(r, __shfl_xor_sync(0xffffffffu, r, o));
    return r;
}

/* Exclusive prefix sum of v in thread order (every thread calls); *total gets the block's sum.
   `shared` holds 33 ints. */
static __device__ int rlhf_sample_block_scan(int v, int* shared, int* total) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    int inclusive = v;
    for (int o = 1; o < 32; o <<= 1) {
        int n = __shfl_up_sync(0xffffffffu, inclusive, o);
        if (lane >= o) inclusive += n;
    }
    __syncthreads();
    if (lane == 31) shared[warp] = inclusive;
    __syncthreads();
    if (warp == 0) {
        int own = lane < warps ? shared[lane] : 0, running = own;
        for (int o = 1; o < 32; o <<= 1) {
            int n = __shfl_up_sync(0xffffffffu, running, o);
            if (lane >= o) running += n;
        }
        if (lane < warps) shared[lane] = running - own;
        if (lane == 31) shared[32] = running;
    }
    __syncthreads();
    *total = shared[32];
    return shared[warp] + inclusive - v;
}

/* Row statistics as the CPU sampler: max logit (NaNs skipped), *best = first index holding it (V − 1 when none
   does), w[v] = exp((x[v] − max)·scale), *maxWeight = max w; returns Σ w in double. */
static __device__ double rlhf_sample_weights(const float* x, float* w, int V, float scale, int* best, float* maxWeight,
                                             float* fshared, double* dshared, int* ishared) {
    float m = RLHF_NEG_INF;
    for (int v = threadIdx.x; v < V; v += blockDim.x) m = fmaxf(m, x[v]);
    float maxLogit = rlhf_block_max(m, fshared);
    int first = RLHF_SAMPLE_NO_INDEX;
    for (int v = threadIdx.x; v < V; v += blockDim.x) if (x[v] == maxLogit) { first = v; break; }
    first = rlhf_sample_block_min(first, ishared);
    *best = first < V - 1 ? first : V - 1;
    double sum = 0.0;
    float wm = 0.0f;
    for (int v = threadIdx.x; v < V; v += blockDim.x) {
        float e = expf((x[v] - maxLogit) * scale);
        w[v] = e;
        sum += (double)e;
        wm = fmaxf(wm, e);
    }
    *maxWeight = rlhf_block_max(wm, fshared);
    return rlhf_block_sum_double(sum, dshared);
}

/* First i < n at which the running double sum term(0) + … + term(i), in index order, exceeds `target` (reaches it
   when `inclusive`); −1 when it never does. Each thread sums its contiguous chunk; thread 0 walks the chunk sums,
   then the terms from the chunk that crosses. Every thread calls and gets the result. `shared` holds
   RLHF_SAMPLE_THREADS doubles, `result` is one shared int. */
template <typename Term>
static __device__ int rlhf_sample_first_crossing(int n, double target, int inclusive, Term term, double* shared,
                                                 int* result) {
    int chunk = (n + blockDim.x - 1) / blockDim.x;
    int begin = min((int)threadIdx.x * chunk, n), end = min(begin + chunk, n);
    double s = 0.0;
    for (int i = begin; i < end; ++i) s += term(i);
    __syncthreads();
    shared[threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.x == 0) {
        double acc = 0.0;
        int c = 0;
        for (; c < (int)blockDim.x; ++c) {
            double next = acc + shared[c];
            if (inclusive ? next >= target : next > target) break;
            acc = next;
        }
        int found = -1;
        for (int i = c * chunk; i < n; ++i) {
            acc += term(i);
            if (inclusive ? acc >= target : acc > target) { found = i; break; }
        }
        *result = found;
    }
    __syncthreads();
    return *result;
}

/* Stable ascending sort of n (key, index) pairs by key: LSD radix, 8 passes of 4 bits, each thread scattering its
   contiguous chunk in order; ends back in (keys, indices), using (keysB, indicesB) between passes.
   counts: 16·RLHF_SAMPLE_THREADS shared ints, scan: 33 shared ints. */
static __device__ void rlhf_sample_radix_sort(uint32_t* keys, int* indices, uint32_t* keysB, int* indicesB, int n,
                                              int* counts, int* scan) {
    int chunk = (n + blockDim.x - 1) / blockDim.x;
    int begin = min((int)threadIdx.x * chunk, n), end = min(begin + chunk, n);
    uint32_t* fromKeys = keys; int* fromIndices = indices;
    uint32_t* toKeys = keysB; int* toIndices = indicesB;
    for (int shift = 0; shift < 32; shift += 4) {
        int local[16];
        for (int d = 0; d < 16; ++d) local[d] = 0;
        for (int i = begin; i < end; ++i) local[(fromKeys[i] >> shift) & 15u] += 1;
        for (int d = 0; d < 16; ++d) counts[d * blockDim.x + threadIdx.x] = local[d];
        __syncthreads();
        /* exclusive scan of counts in (digit, thread) order: thread u owns entries 16u ..< 16u + 16 */
        int own = 0;
        for (int e = 0; e < 16; ++e) own += counts[16 * threadIdx.x + e];
        int total;
        int offset = rlhf_sample_block_scan(own, scan, &total);
        for (int e = 0; e < 16; ++e) {
            int c = counts[16 * threadIdx.x + e];
            counts[16 * threadIdx.x + e] = offset;
            offset += c;
        }
        __syncthreads();
        for (int d = 0; d < 16; ++d) local[d] = counts[d * blockDim.x + threadIdx.x];
        for (int i = begin; i < end; ++i) {
            uint32_t key = fromKeys[i];
            int at = local[(key >> shift) & 15u]++;
            toKeys[at] = key;
            toIndices[at] = fromIndices[i];
        }
        __syncthreads();
        uint32_t* k = fromKeys; fromKeys = toKeys; toKeys = k;
        int* x = fromIndices; fromIndices = toIndices; toIndices = x;
    }
}

/* One token per selected row, greedy or drawn from the full distribution at temperature 1/scale.
   Grid: a block of RLHF_SAMPLE_THREADS per selected row i. params[2i] = the row b (int bits), params[2i+1] = its
   uniform draw in [0, 1). logits[B,V]; weights[B,V] (scratch) gets row b's weights.
   results[2i] = token (int bits), results[2i+1] = its logprob: −log Σw for greedy (the CPU's), else log(w/Σw)
   of the first token whose running sum exceeds u·Σw (the greedy token and −log Σw when rounding leaves none). */
extern "C" __global__ void rlhf_sample_rows(float* results, float* weights, const float* logits, const float* params,
                                            int V, float scale, int greedy) {
    __shared__ float fshared[32];
    __shared__ double dshared[RLHF_SAMPLE_THREADS];
    __shared__ int ishared[34];
    int i = blockIdx.x, b = __float_as_int(params[2 * i]);
    const float* x = logits + (long long)b * V;  /* [V] */
    float* w = weights + (long long)b * V;       /* [V] */
    int best;
    float maxWeight;
    double sum = rlhf_sample_weights(x, w, V, scale, &best, &maxWeight, fshared, dshared, ishared);
    int token = best;
    double logprob = -log(sum);
    if (!greedy) {
        __syncthreads();
        double u = (double)params[2 * i + 1] * sum;
        int pick = rlhf_sample_first_crossing(V, u, 0, [=](int v) { return (double)w[v]; }, dshared, &ishared[33]);
        if (pick >= 0) { token = pick; logprob = log((double)w[pick] / sum); }
    }
    if (threadIdx.x == 0) {
        ((int*)results)[2 * i] = token;
        results[2 * i + 1] = (float)logprob;
    }
}

/* One token per selected row with top-k, then min-p, then top-p over the tokens sorted by weight (ties in token
   order, as the CPU's stable sort), renormalised, then the inverse-CDF draw over that order.
   Grid, params, logits, weights and results as rlhf_sample_rows. sortSpace: 3·V floats per selected row i at
   sortSpace + i·3V (keys, indices, indices); row b's weights slot holds the other keys once the weights are read.
   Only tokens min-p keeps are sorted when 0 < minP ≤ 1: they are a prefix of the full sorted order that contains
   everything top-k leaves to min-p, so the result is the same. */
extern "C" __global__ void rlhf_sample_filtered_rows(float* results, float* weights, float* sortSpace,
                                                     const float* logits, const float* params, int V, float scale,
                                                     int topK, float topP, float minP) {
    __shared__ float fshared[32];
    __shared__ double dshared[RLHF_SAMPLE_THREADS];
    __shared__ int ishared[34];
    __shared__ int counts[16 * RLHF_SAMPLE_THREADS];
    int i = blockIdx.x, b = __float_as_int(params[2 * i]);
    const float* x = logits + (long long)b * V;  /* [V] */
    float* w = weights + (long long)b * V;       /* [V] */
    uint32_t* keys = (uint32_t*)(sortSpace + (long long)i * 3 * V);  /* [V] */
    int* indices = (int*)(keys + V);                                  /* [V] */
    int* indicesB = indices + V;                                      /* [V] */
    uint32_t* keysB = (uint32_t*)w;                                   /* [V], once the weights are read */
    int best;
    float maxWeight;
    double sum = rlhf_sample_weights(x, w, V, scale, &best, &maxWeight, fshared, dshared, ishared);
    __syncthreads();

    /* candidates in token order: key = ~bits(w) sorts larger weights first (w ≥ 0) */
    double minimum = (double)maxWeight / sum * (double)minP;
    int prefilter = minP > 0.0f && minP <= 1.0f;
    int chunk = (V + blockDim.x - 1) / blockDim.x;
    int begin = min((int)threadIdx.x * chunk, V), end = min(begin + chunk, V);
    int kept = 0;
    for (int v = begin; v < end; ++v) kept += !prefilter || !((double)w[v] / sum < minimum);
    int n;
    int at = rlhf_sample_block_scan(kept, ishared, &n);
    for (int v = begin; v < end; ++v) {
        float e = w[v];
        if (!prefilter || !((double)e / sum < minimum)) { keys[at] = ~__float_as_uint(e); indices[at] = v; ++at; }
    }
    __syncthreads();
    rlhf_sample_radix_sort(keys, indices, keysB, indicesB, n, counts, ishared);
    auto prob = [=](int j) { return (double)__uint_as_float(~keys[j]) / sum; };

    /* top-k */
    int count = topK > 0 && topK < n ? topK : n;
    /* min-p: keep the tokens before the first whose probability is below minP × the top one (at least one) */
    if (minP > 0.0f) {
        int first = RLHF_SAMPLE_NO_INDEX;
        for (int j = threadIdx.x; j < count; j += blockDim.x) if (prob(j) < minimum) { first = j; break; }
        first = rlhf_sample_block_min(first, ishared);
        int keep = first < count ? first : count;
        count = keep > 1 ? keep : 1;
    }
    /* top-p: the shortest prefix whose renormalised probability reaches topP */
    if (topP < 1.0f) {
        double partial = 0.0;
        for (int j = threadIdx.x; j < count; j += blockDim.x) partial += prob(j);
        double total = rlhf_block_sum_double(partial, dshared);
        int crossing = rlhf_sample_first_crossing(count, (double)topP, 1, [=](int j) { return prob(j) / total; },
                                                  dshared, &ishared[33]);
        if (crossing >= 0) count = crossing + 1;
    }
    /* renormalised inverse-CDF draw over the kept prefix (the last kept token when rounding leaves none) */
    double partial = 0.0;
    for (int j = threadIdx.x; j < count; j += blockDim.x) partial += prob(j);
    double total = rlhf_block_sum_double(partial, dshared);
    double u = (double)params[2 * i + 1] * total;
    int pick = rlhf_sample_first_crossing(count, u, 0, prob, dshared, &ishared[33]);
    if (pick < 0) pick = count - 1;
    if (threadIdx.x == 0) {
        ((int*)results)[2 * i] = indices[pick];
        results[2 * i + 1] = (float)log(prob(pick) / total);
    }
}
"""#
}
