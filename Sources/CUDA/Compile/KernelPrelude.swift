/// CUDA C every kernel program starts with: fixed-width integers, infinities, and reductions whose order
/// of additions is fixed by the thread layout alone (xor shuffles, then warps in index order), so a sum
/// gives the same bits on every run.
package enum KernelPrelude {
    package static let source = #"""
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned short uint16_t;
#define RLHF_INF __int_as_float(0x7f800000)
#define RLHF_NEG_INF __int_as_float(0xff800000)

__device__ __forceinline__ float rlhf_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ double rlhf_warp_sum_double(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ float rlhf_warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
/* Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
   `shared` holds 32 floats. */
__device__ float rlhf_block_sum(float v, float* shared) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = rlhf_warp_sum(v);
    __syncthreads();
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    float total = lane < warps ? shared[lane] : 0.0f;
    return rlhf_warp_sum(total);
}
__device__ double rlhf_block_sum_double(double v, double* shared) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = rlhf_warp_sum_double(v);
    __syncthreads();
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    double total = lane < warps ? shared[lane] : 0.0;
    return rlhf_warp_sum_double(total);
}
__device__ float rlhf_block_max(float v, float* shared) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = rlhf_warp_max(v);
    __syncthreads();
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    float total = lane < warps ? shared[lane] : RLHF_NEG_INF;
    return rlhf_warp_max(total);
}
/* bfloat16 as raw bits, rounded to nearest even (NaN kept quiet). */
__device__ __forceinline__ uint16_t rlhf_float_to_bf16(float x) {
    uint32_t bits = __float_as_uint(x);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}
__device__ __forceinline__ float rlhf_bf16_to_float(uint16_t x) { return __uint_as_float(((uint32_t)x) << 16); }
"""#
}
