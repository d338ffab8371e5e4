/// Rotary position embeddings, in place: one thread per rotated pair (i, i + D/2), which it reads and then
/// writes, so no thread touches another's values.
enum RoPEKernels {
    static let program = KernelProgram(name: "rope", source: source, kernels: ["rlhf_rope"])

    static let source = #"""
/* x rows n (row n at x + n rowStride) hold `heads` vectors of D floats; each pair (a, b) = (x[i], x[i + D/2])
   becomes (a c - b s, b c + a s) with c, s = cosTable/sinTable[positions[n], i] (tables [P, D/2]); inverse
   negates s (the backward pass). One thread per (n, head, i); positions outside 0..<P leave the row as it is. */
extern "C" __global__ void rlhf_rope(float* x, const int* positions, const float* cosTable, const float* sinTable,
                                     int rows, int heads, int headDim, long long rowStride, int maxPositions, int inverse) {
    int half = headDim / 2;
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)rows * heads * half) return;
    long long pairsPerRow = (long long)heads * half;
    long long n = i / pairsPerRow;
    int rest = (int)(i - n * pairsPerRow), h = rest / half, k = rest - h * half;
    int position = positions[n];
    if (position < 0 || position >= maxPositions) return;
    float c = cosTable[(long long)position * half + k];
    float s = inverse ? -sinTable[(long long)position * half + k] : sinTable[(long long)position * half + k];
    float* first = x + n * rowStride + (long long)h * headDim; /* [D/2] then second half [D/2] */
    float a = first[k], b = first[half + k];
    first[k] = a * c - b * s;
    first[half + k] = b * c + a * s;
}
"""#
}
