/// LayerNorm and RMSNorm, forward and backward. Row statistics: one block per row (the launcher's fixed
/// blockDim), per-thread partial sums in index order, then the prelude's block reductions. Parameter gradients
/// (sums over rows) come from fixed chunks of 128 rows, each chunk's column sums in a fixed order written to a
/// partial row, then the partials added in chunk order: no atomics, the same bits on every run.
enum NormKernels {
    static let program = KernelProgram(name: "norms", source: source, kernels: [
        "rlhf_layernorm_forward", "rlhf_layernorm_backward_rows", "rlhf_layernorm_parameter_partials",
        "rlhf_rmsnorm_forward", "rlhf_rmsnorm_backward_rows", "rlhf_rmsnorm_weight_partials", "rlhf_norm_partials_add",
    ])

    static let source = #"""
/* Rows per chunk of the parameter-gradient partials: 8 row lanes x 16 rows. */
#define RLHF_NORM_CHUNK 128

/* out[N,C] = (x - mean) rstd weight[C] + bias[C] per row x = input[n], biased variance, rstd = 1/sqrt(var + eps)
   (mean and variance summed in two passes, folded into double as the CPU does); saves mean[N], rstd[N].
   One block per row. */
extern "C" __global__ void rlhf_layernorm_forward(float* out, float* mean, float* rstd, const float* input,
                                                  const float* weight, const float* bias, int rows, int channels, float eps) {
    __shared__ double shared[32];
    long long n = blockIdx.x;
    const float* x = input + n * channels; /* [C] */
    float* y = out + n * channels;         /* [C] */
    float sum = 0.0f;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) sum += x[i];
    float rowMean = (float)(rlhf_block_sum_double((double)sum, shared) / (double)channels);
    float squares = 0.0f;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) { float d = x[i] - rowMean; squares += d * d; }
    double variance = rlhf_block_sum_double((double)squares, shared) / (double)channels;
    float rowRstd = (float)(1.0 / sqrt(variance + (double)eps));
    for (int i = threadIdx.x; i < channels; i += blockDim.x) y[i] = (x[i] - rowMean) * rowRstd * weight[i] + bias[i];
    if (threadIdx.x == 0) { mean[n] = rowMean; rstd[n] = rowRstd; }
}

/* dInput[N,C] += rstd (g - mean(g) - xhat mean(g xhat)) with xhat = (x - mean) rstd, g = dOut weight.
   One block per row. */
extern "C" __global__ void rlhf_layernorm_backward_rows(float* dInput, const float* dOut, const float* input,
                                                        const float* weight, const float* mean, const float* rstd,
                                                        int rows, int channels) {
    __shared__ float shared[32];
    long long n = blockIdx.x;
    const float* x = input + n * channels; /* [C] */
    const float* d = dOut + n * channels;  /* [C] */
    float* dx = dInput + n * channels;     /* [C] */
    float centre = mean[n], s = rstd[n];
    float sumG = 0.0f, sumGXhat = 0.0f;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) {
        float g = d[i] * weight[i];
        sumG += g;
        sumGXhat += g * ((x[i] - centre) * s);
    }
    float meanG = rlhf_block_sum(sumG, shared) / (float)channels;
    float meanGXhat = rlhf_block_sum(sumGXhat, shared) / (float)channels;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) {
        float xhat = (x[i] - centre) * s;
        dx[i] += (d[i] * weight[i] - meanG - xhat * meanGXhat) * s;
    }
}

/* partials[chunks, 2, C]: for chunk k (rows 128k..<128k+128), row 0 = sum of dOut xhat, row 1 = sum of dOut.
   Grid (ceil(C/32), chunks), 256 threads = 32 columns x 8 row lanes: lane l adds rows l, l + 8, ... of the
   chunk in order, then the 8 lanes are added in lane order. */
extern "C" __global__ void rlhf_layernorm_parameter_partials(float* partials, const float* dOut, const float* input,
                                                             const float* mean, const float* rstd, int rows, int channels) {
    __shared__ float partialWeight[8][33];
    __shared__ float partialBias[8][33];
    int column = blockIdx.x * 32 + (threadIdx.x & 31), lane = threadIdx.x >> 5;
    int begin = blockIdx.y * RLHF_NORM_CHUNK, end = begin + RLHF_NORM_CHUNK < rows ? begin + RLHF_NORM_CHUNK : rows;
    float sumWeight = 0.0f, sumBias = 0.0f;
    if (column < channels) {
        for (int n = begin + lane; n < end; n += 8) {
            long long i = (long long)n * channels + column;
            float d = dOut[i];
            sumWeight += d * ((input[i] - mean[n]) * rstd[n]);
            sumBias += d;
        }
    }
    partialWeight[lane][threadIdx.x & 31] = sumWeight;
    partialBias[lane][threadIdx.x & 31] = sumBias;
    __syncthreads();
    if (lane == 0 && column < channels) {
        float totalWeight = 0.0f, totalBias = 0.0f;
        for (int l = 0; l < 8; ++l) { totalWeight += partialWeight[l][threadIdx.x]; totalBias += partialBias[l][threadIdx.x]; }
        float* target = partials + (long long)blockIdx.y * 2 * channels; /* [2, C] */
        target[column] = totalWeight;
        target[channels + column] = totalBias;
    }
}

/* out[N,C] = weight[C] (x rstd) per row x = input[n], rstd = 1/sqrt(mean(x^2) + eps) (mean folded into double);
   saves rstd[N]. One block per row. */
extern "C" __global__ void rlhf_rmsnorm_forward(float* out, float* rstd, const float* input, const float* weight, int rows,
                                                int channels, float eps) {
    __shared__ double shared[32];
    long long n = blockIdx.x;
    const float* x = input + n * channels; /* [C] */
    float* y = out + n * channels;         /* [C] */
    float squares = 0.0f;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) squares += x[i] * x[i];
    double meanSquare = rlhf_block_sum_double((double)squares, shared) / (double)channels;
    float rowRstd = (float)(1.0 / sqrt(meanSquare + (double)eps));
    for (int i = threadIdx.x; i < channels; i += blockDim.x) y[i] = weight[i] * (x[i] * rowRstd);
    if (threadIdx.x == 0) rstd[n] = rowRstd;
}

/* dInput[N,C] += dOut weight rstd - x rstd^3 mean(dOut weight x). One block per row. */
extern "C" __global__ void rlhf_rmsnorm_backward_rows(float* dInput, const float* dOut, const float* input,
                                                      const float* weight, const float* rstd, int rows, int channels) {
    __shared__ float shared[32];
    long long n = blockIdx.x;
    const float* x = input + n * channels; /* [C] */
    const float* d = dOut + n * channels;  /* [C] */
    float* dx = dInput + n * channels;     /* [C] */
    float s = rstd[n];
    float dot = 0.0f;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) dot += d[i] * weight[i] * x[i];
    float coefficient = s * s * s * rlhf_block_sum(dot, shared) / (float)channels;
    for (int i = threadIdx.x; i < channels; i += blockDim.x) dx[i] += d[i] * weight[i] * s - x[i] * coefficient;
}

/* partials[chunks, C]: for chunk k (rows 128k..<128k+128) the sum of dOut (x rstd). Grid (ceil(C/32), chunks),
   256 threads = 32 columns x 8 row lanes, added as in rlhf_layernorm_parameter_partials. */
extern "C" __global__ void rlhf_rmsnorm_weight_partials(float* partials, const float* dOut, const float* input,
                                                        const float* rstd, int rows, int channels) {
    __shared__ float partial[8][33];
    int column = blockIdx.x * 32 + (threadIdx.x & 31), lane = threadIdx.x >> 5;
    int begin = blockIdx.y * RLHF_NORM_CHUNK, end = begin + RLHF_NORM_CHUNK < rows ? begin + RLHF_NORM_CHUNK : rows;
    float sum = 0.0f;
    if (column < channels) {
        for (int n = begin + lane; n < end; n += 8) {
            long long i = (long long)n * channels + column;
            sum += dOut[i] * (input[i] * rstd[n]);
        }
    }
    partial[lane][threadIdx.x & 31] = sum;
    __syncthreads();
    if (lane == 0 && column < channels) {
        float total = 0.0f;
        for (int l = 0; l < 8; ++l) total += partial[l][threadIdx.x];
        partials[(long long)blockIdx.y * channels + column] = total;
    }
}

/* target[C] += partials[0] + partials[1] + ... in chunk order (added one by one into the target, as the CPU
   adds its block partials), partial k at partials + k stride. One thread per column. */
extern "C" __global__ void rlhf_norm_partials_add(float* target, const float* partials, int chunks, int stride,
                                                  int channels) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    float sum = target[c];
    for (int k = 0; k < chunks; ++k) sum += partials[(long long)k * stride + c];
    target[c] = sum;
}
"""#
}
