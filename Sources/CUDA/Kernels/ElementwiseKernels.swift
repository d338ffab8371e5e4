/// Element-wise kernels: sums, column blocks, GELU (tanh and erf forms) and SwiGLU, forward and backward.
/// One thread per element (or per pair of gate/up elements); every output element is read, then written, by
/// the thread that owns it, so in-place calls (out aliasing an input) are safe. The formulas are the CPU's.
enum ElementwiseKernels {
    static let program = KernelProgram(name: "elementwise", source: source, kernels: [
        "rlhf_add", "rlhf_add_columns", "rlhf_copy_columns", "rlhf_gelu_forward", "rlhf_gelu_backward",
        "rlhf_gelu_erf_forward", "rlhf_gelu_erf_backward", "rlhf_swiglu_forward", "rlhf_swiglu_backward",
    ])

    static let source = #"""
#define RLHF_GELU_SCALE 0.7978845608028654f /* sqrt(2/pi) */
#define RLHF_GELU_CUBIC 0.044715f
#define RLHF_INV_SQRT2 0.7071067811865476f   /* 1/sqrt(2) */
#define RLHF_INV_SQRT2PI 0.3989422804014327f /* 1/sqrt(2 pi) */

/* out[count] = a[count] + b[count] (out may alias a or b). */
extern "C" __global__ void rlhf_add(float* out, const float* a, const float* b, long long count) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < count) out[i] = a[i] + b[i];
}

/* out[n, 0..<columns] += source[n, 0..<columns]: out rows outStride floats apart, source[rows, columns] packed. */
extern "C" __global__ void rlhf_add_columns(float* out, long long outStride, const float* source, int rows, int columns) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * columns) return;
    long long n = i / columns, c = i - n * columns;
    out[n * outStride + c] += source[i];
}

/* out[rows, columns] (packed) = source[n, 0..<columns], source rows sourceStride floats apart. */
extern "C" __global__ void rlhf_copy_columns(float* out, const float* source, long long sourceStride, int rows, int columns) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * columns) return;
    long long n = i / columns, c = i - n * columns;
    out[i] = source[n * sourceStride + c];
}

/* out[count] = gelu_tanh(input[count]) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi)(x + 0.044715 x^3), evaluated as
   the identical x / (1 + e^(-2u)) (the CPU's form). */
extern "C" __global__ void rlhf_gelu_forward(float* out, const float* input, long long count) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    float x = input[i];
    float u = RLHF_GELU_SCALE * (x + RLHF_GELU_CUBIC * (x * x * x));
    out[i] = x / (1.0f + expf(-2.0f * u));
}

/* dInput[count] = gelu'(x) dOut with s = sigmoid(2u): gelu' = s + 2 x s (1 - s) u'(x),
   u' = sqrt(2/pi)(1 + 3 * 0.044715 x^2). dInput may alias dOut. */
extern "C" __global__ void rlhf_gelu_backward(float* dInput, const float* dOut, const float* input, long long count) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    float x = input[i], d = dOut[i];
    float square = x * x;
    float u = RLHF_GELU_SCALE * (x + RLHF_GELU_CUBIC * (square * x));
    float s = 1.0f / (1.0f + expf(-2.0f * u));
    float innerSlope = RLHF_GELU_SCALE * (1.0f + (3.0f * RLHF_GELU_CUBIC) * square);
    float slope = s + 2.0f * x * (s * (1.0f - s)) * innerSlope;
    dInput[i] = slope * d;
}

/* Phi(x), the standard normal CDF, exactly as the CPU computes it: erfc(z) ~ (a1 t + ... + a5 t^5) e^(-z^2),
   z = |x|/sqrt(2), t = 1/(1 + p z) (Abramowitz & Stegun 7.1.26); Phi = erfc/2 for x < 0, 1 - erfc/2 otherwise. */
__device__ __forceinline__ float rlhf_normal_cdf(float x) {
    float z = fabsf(x) * RLHF_INV_SQRT2;
    float t = 1.0f / (1.0f + 0.3275911f * z);
    float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    float halfErfc = 0.5f * poly * expf(-(z * z));
    return x < 0.0f ? halfErfc : 1.0f - halfErfc;
}

/* out[count] = x Phi(x), x = input[count] (the exact, erf GELU). */
extern "C" __global__ void rlhf_gelu_erf_forward(float* out, const float* input, long long count) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    float x = input[i];
    out[i] = x * rlhf_normal_cdf(x);
}

/* dInput[count] = (Phi(x) + x phi(x)) dOut, phi(x) = e^(-x^2/2)/sqrt(2 pi). dInput may alias dOut. */
extern "C" __global__ void rlhf_gelu_erf_backward(float* dInput, const float* dOut, const float* input, long long count) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= count) return;
    float x = input[i], d = dOut[i];
    float pdf = RLHF_INV_SQRT2PI * expf(-0.5f * (x * x));
    dInput[i] = (rlhf_normal_cdf(x) + x * pdf) * d;
}

/* out[N,F] = silu(g) u = g / (1 + e^(-g)) u, with gateUp[N,2F] rows [g (F) | u (F)]. */
extern "C" __global__ void rlhf_swiglu_forward(float* out, const float* gateUp, int rows, int hidden) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * hidden) return;
    long long n = i / hidden, f = i - n * hidden;
    const float* gate = gateUp + n * 2 * hidden; /* [F] then up [F] */
    float g = gate[f], u = gate[hidden + f];
    out[i] = g / (1.0f + expf(-g)) * u;
}

/* dGateUp[N,2F] (=) from dOut[N,F]: (d gate, d up) = (d u s (1 + g (1 - s)), d g s), s = sigmoid(g).
   dOut must not overlap dGateUp (the launcher stages it). */
extern "C" __global__ void rlhf_swiglu_backward(float* dGateUp, const float* dOut, const float* gateUp, int rows, int hidden) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * hidden) return;
    long long n = i / hidden, f = i - n * hidden;
    const float* gate = gateUp + n * 2 * hidden; /* [F] then up [F] */
    float* dGate = dGateUp + n * 2 * hidden;     /* [F] then d up [F] */
    float g = gate[f], u = gate[hidden + f], d = dOut[i];
    float s = 1.0f / (1.0f + expf(-g));
    dGate[f] = d * u * (s * (1.0f + g * (1.0f - s)));
    dGate[hidden + f] = d * (g * s);
}
"""#
}
