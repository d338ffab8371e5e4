/// Kernels around the matrix products and the optimizer: bias rows, bias gradients, bfloat16 copies, AdamW,
/// the sum of squares and scaling.
enum CoreKernels {
    static let program = KernelProgram(name: "core", source: source, kernels: [
        "rlhf_bias_rows", "rlhf_column_sums_add", "rlhf_to_bf16", "rlhf_adamw", "rlhf_sum_of_squares_blocks",
        "rlhf_sum_doubles", "rlhf_scale",
    ])

    static let source = #"""
/* out[N,OC] = bias[OC] broadcast over rows (the product then adds into it). */
extern "C" __global__ void rlhf_bias_rows(float* out, const float* bias, int rows, int outFeatures) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (long long)rows * outFeatures) out[i] = bias[i % outFeatures];
}

/* dBias[OC] += sum over n of dOut[n, oc]. Block: 256 threads = 32 columns x 8 row lanes; each lane sums its
   rows in order, then the 8 lanes are added in lane order: a fixed order of additions. */
extern "C" __global__ void rlhf_column_sums_add(float* dBias, const float* dOut, int rows, int outFeatures) {
    __shared__ float partial[8][33];
    int column = blockIdx.x * 32 + (threadIdx.x & 31), lane = threadIdx.x >> 5;
    float sum = 0.0f;
    if (column < outFeatures)
        for (int n = lane; n < rows; n += 8) sum += dOut[(long long)n * outFeatures + column];
    partial[lane][threadIdx.x & 31] = sum;
    __syncthreads();
    if (lane == 0 && column < outFeatures) {
        float total = 0.0f;
        for (int l = 0; l < 8; ++l) total += partial[l][threadIdx.x & 31];
        dBias[column] += total;
    }
}

/* bfloat16 copies (round to nearest even), two per float slot of `out`. */
extern "C" __global__ void rlhf_to_bf16(const float* in, uint16_t* out, int count) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) out[i] = rlhf_float_to_bf16(in[i]);
}

/* One AdamW step over [begin, end) with one segment's scalars, as the CPU kernel: decay, lerp the moments,
   then p += negativeStepSize * m / (sqrt(v) / biasCorrection2Sqrt + eps). */
extern "C" __global__ void rlhf_adamw(float* p, const float* g, float* m, float* v, long long begin, long long end,
                                      float decayFactor, float oneMinusBeta1, float beta2, float oneMinusBeta2,
                                      float negativeStepSize, float biasCorrection2Sqrt, float eps) {
    long long i = begin + (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= end) return;
    float grad = g[i];
    float mi = m[i] + oneMinusBeta1 * (grad - m[i]);
    float vi = beta2 * v[i] + oneMinusBeta2 * grad * grad;
    m[i] = mi; v[i] = vi;
    float denominator = sqrtf(fabsf(vi)) / biasCorrection2Sqrt + eps;
    p[i] = p[i] * decayFactor + negativeStepSize * (mi / denominator);
}

/* partials[b] = sum of x[i]^2 over block b's fixed 65,536 floats, in double (256 threads, strided, then the
   block's fixed reduction). */
extern "C" __global__ void rlhf_sum_of_squares_blocks(const float* x, long long count, double* partials) {
    __shared__ double shared[32];
    long long begin = (long long)blockIdx.x * 65536, end = begin + 65536 < count ? begin + 65536 : count;
    double sum = 0.0;
    for (long long i = begin + threadIdx.x; i < end; i += blockDim.x) { double xi = x[i]; sum += xi * xi; }
    sum = rlhf_block_sum_double(sum, shared);
    if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

/* out[0] = sum of partials[0..count) in index order (one thread: few partials). */
extern "C" __global__ void rlhf_sum_doubles(const double* partials, int count, double* out) {
    if (threadIdx.x != 0 || blockIdx.x != 0) return;
    double total = 0.0;
    for (int i = 0; i < count; ++i) total += partials[i];
    out[0] = total;
}

/* x[count] *= factor */
extern "C" __global__ void rlhf_scale(float* x, long long count, float factor) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) x[i] *= factor;
}
"""#
}
