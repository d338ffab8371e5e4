/// Softmax losses over vocabulary rows: cross-entropy forward and backward, the log-softmax gather, and the
/// log-probabilities (and entropy) at a temperature with their gradient. One block per row (the launcher's fixed
/// blockDim): the row max by block reduction, then per-thread float sums of the shifted exponentials in index
/// order, added across the block in double (fixed order). Backward kernels compute every reduction a row needs
/// before any thread writes, then each thread reads and writes only its own elements, so dLogits may alias
/// logits.
enum LossKernels {
    static let program = KernelProgram(name: "losses", source: source, kernels: [
        "rlhf_cross_entropy_forward", "rlhf_cross_entropy_backward", "rlhf_log_softmax_gather",
        "rlhf_token_logprobs_forward", "rlhf_token_logprobs_backward",
    ])

    static let source = #"""
#define RLHF_NAN __int_as_float(0x7fc00000)

/* max row[V] over the block (NaN skipped; -inf for an empty row). Every thread must call it. */
__device__ float rlhf_row_max(const float* row, int vocab, float* shared) {
    float m = RLHF_NEG_INF;
    for (int v = threadIdx.x; v < vocab; v += blockDim.x) m = fmaxf(m, row[v]);
    return rlhf_block_max(m, shared);
}

/* log sum_v e^row[v] in double: the row max M, then sum e^(row[v] - M). An all -inf row gives -inf, a row with
   +inf gives +inf (as the CPU). Every thread must call it; every thread gets the result. */
__device__ double rlhf_row_logsumexp(const float* row, int vocab, float* sharedFloat, double* sharedDouble) {
    float m = rlhf_row_max(row, vocab, sharedFloat);
    if (m == RLHF_NEG_INF || m == RLHF_INF) return (double)m; /* uniform over the block */
    float sum = 0.0f;
    for (int v = threadIdx.x; v < vocab; v += blockDim.x) sum += expf(row[v] - m);
    return (double)m + log(rlhf_block_sum_double((double)sum, sharedDouble));
}

/* The log-sum-exp of z = row k (k = 1/T > 0) and, when wantsEntropy, the entropy of softmax(z):
   with y = z - max z, lse = max z + log S and H = log S - (sum e^y y) / S, S = sum e^y. A row whose max is
   +-inf gives lse = that max and H = NaN (as the CPU). Every thread must call it. */
__device__ void rlhf_temperature_statistics(const float* row, int vocab, float k, int wantsEntropy, float* sharedFloat,
                                            double* sharedDouble, double* lse, double* entropy) {
    float m = rlhf_row_max(row, vocab, sharedFloat);
    if (m == RLHF_NEG_INF || m == RLHF_INF) { *lse = (double)m; *entropy = (double)RLHF_NAN; return; }
    float shift = m * k; /* max z */
    float sum = 0.0f, weighted = 0.0f;
    for (int v = threadIdx.x; v < vocab; v += blockDim.x) {
        float y = row[v] * k - shift;
        float e = expf(y);
        sum += e;
        if (wantsEntropy) weighted += e * y;
    }
    double total = rlhf_block_sum_double((double)sum, sharedDouble);
    double logSum = log(total);
    *lse = (double)shift + logSum;
    *entropy = wantsEntropy ? logSum - rlhf_block_sum_double((double)weighted, sharedDouble) / total : 0.0;
}

/* losses[N] = logSumExp(logits[n]) - logits[n, targets[n]] (0 where targets[n] < 0, NaN where it is >= V);
   saves logSumExp[N]. logits[N,V]; one block per row. */
extern "C" __global__ void rlhf_cross_entropy_forward(float* losses, float* logSumExp, const float* logits,
                                                      const int* targets, int rows, int vocab) {
    __shared__ float sharedFloat[32];
    __shared__ double sharedDouble[32];
    long long n = blockIdx.x;
    const float* row = logits + n * vocab; /* [V] */
    double lse = rlhf_row_logsumexp(row, vocab, sharedFloat, sharedDouble);
    if (threadIdx.x != 0) return;
    int t = targets[n];
    logSumExp[n] = (float)lse;
    losses[n] = t < 0 ? 0.0f : t < vocab ? (float)(lse - (double)row[t]) : RLHF_NAN;
}

/* dLogits[N,V] (=) = (e^(logits - logSumExp[n]) - onehot(targets[n])) dLoss[n]; rows with targets[n] < 0 are
   zero. Each thread reads and writes only its own elements, so dLogits may alias logits. One block per row. */
extern "C" __global__ void rlhf_cross_entropy_backward(float* dLogits, const float* logits, const float* logSumExp,
                                                       const int* targets, const float* dLoss, int rows, int vocab) {
    long long n = blockIdx.x;
    const float* row = logits + n * vocab; /* [V] */
    float* gradient = dLogits + n * vocab; /* [V] */
    int t = targets[n];
    if (t < 0) {
        for (int v = threadIdx.x; v < vocab; v += blockDim.x) gradient[v] = 0.0f;
        return;
    }
    float lse = logSumExp[n], scale = dLoss[n];
    for (int v = threadIdx.x; v < vocab; v += blockDim.x) {
        float p = expf(row[v] - lse);
        gradient[v] = (v == t ? p - 1.0f : p) * scale;
    }
}

/* out[N] = logits[n, targets[n]] - logSumExp(logits[n]) (0 where targets[n] < 0, NaN where it is >= V).
   logits[N,V]; one block per row. */
extern "C" __global__ void rlhf_log_softmax_gather(float* out, const float* logits, const int* targets, int rows, int vocab) {
    __shared__ float sharedFloat[32];
    __shared__ double sharedDouble[32];
    long long n = blockIdx.x;
    const float* row = logits + n * vocab; /* [V] */
    double lse = rlhf_row_logsumexp(row, vocab, sharedFloat, sharedDouble);
    if (threadIdx.x != 0) return;
    int t = targets[n];
    out[n] = t < 0 ? 0.0f : t < vocab ? (float)((double)row[t] - lse) : RLHF_NAN;
}

/* logProbs[N] = log softmax(logits[n] / T)[targets[n]] (0 where targets[n] < 0, NaN where it is >= V) and, when
   entropy is non-null, entropy[N] = -sum p log p of softmax(logits[n] / T). logits[N,V]; one block per row. */
extern "C" __global__ void rlhf_token_logprobs_forward(float* logProbs, float* entropy, const float* logits,
                                                       const int* targets, int rows, int vocab, float temperature) {
    __shared__ float sharedFloat[32];
    __shared__ double sharedDouble[32];
    long long n = blockIdx.x;
    const float* row = logits + n * vocab; /* [V] */
    float k = 1.0f / temperature;
    double lse, h;
    rlhf_temperature_statistics(row, vocab, k, entropy != 0, sharedFloat, sharedDouble, &lse, &h);
    if (threadIdx.x != 0) return;
    int t = targets[n];
    logProbs[n] = t < 0 ? 0.0f : t < vocab ? (float)((double)(row[t] * k) - lse) : RLHF_NAN;
    if (entropy) entropy[n] = (float)h;
}

/* dLogits[N,V] (=) of sum_n wL[n] logp[n] + wH[n] H[n] with z = logits / T, p = softmax(z):
     d/dlogits_v = (1/T) [wL (onehot_v - p_v) - wH p_v (log p_v + H)],
   wL = dLogProbs[n] (0 when null or targets[n] < 0), wH = dEntropy[n] (0 when null); rows with both zero are
   zero. The row's statistics are reduced before any thread writes; then each thread reads and writes only its
   own elements, so dLogits may alias logits. One block per row. */
extern "C" __global__ void rlhf_token_logprobs_backward(float* dLogits, const float* logits, const int* targets,
                                                        const float* dLogProbs, const float* dEntropy, int rows,
                                                        int vocab, float temperature) {
    __shared__ float sharedFloat[32];
    __shared__ double sharedDouble[32];
    long long n = blockIdx.x;
    const float* row = logits + n * vocab; /* [V] */
    float* gradient = dLogits + n * vocab; /* [V] */
    int t = targets[n];
    float wL = t < 0 ? 0.0f : (dLogProbs ? dLogProbs[n] : 0.0f), wH = dEntropy ? dEntropy[n] : 0.0f;
    if (wL == 0.0f && wH == 0.0f) {
        for (int v = threadIdx.x; v < vocab; v += blockDim.x) gradient[v] = 0.0f;
        return;
    }
    float k = 1.0f / temperature;
    double lseDouble, hDouble;
    rlhf_temperature_statistics(row, vocab, k, wH != 0.0f, sharedFloat, sharedDouble, &lseDouble, &hDouble);
    float lse = (float)lseDouble, h = (float)hDouble;
    float cL = -wL * k, cH = -wH * k;
    for (int v = threadIdx.x; v < vocab; v += blockDim.x) {
        float logp = row[v] * k - lse;
        float p = expf(logp);
        gradient[v] = v == t ? wL * k * (1.0f - p) - wH * k * p * (logp + h) : cL * p + cH * p * (logp + h);
    }
}
"""#
}
