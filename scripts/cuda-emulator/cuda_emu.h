// CPU emulation of the CUDA C device dialect the rlhf kernels are written in.
//
// Every generated kernel translation unit (see extract_kernels.py) includes this header, then the kernel
// prelude and one program's source inside a namespace of its own. Kernels become ordinary C++ functions; the
// driver emulator (fake_cuda.cpp) runs each CUDA thread of a block as a cooperative fiber on its own small
// stack, so __syncthreads and the warp collectives switch fibers instead of blocking OS threads.
//
// What a kernel sees:
//   threadIdx / blockIdx / blockDim / gridDim   read through the running fiber (found from the stack pointer)
//   __shared__ T x[N]                            static thread_local: one copy per OS worker, shared by the
//                                                fibers of the block that worker runs (blocks on one worker
//                                                run one after another, as blocks on one SM may)
//   extern __shared__ T x[]                      the runner's dynamic shared buffer (rewritten by the extractor)
//   __syncthreads, __syncwarp, __shfl*_sync, __ballot_sync, __any_sync, __all_sync: fiber switches
//   float math                                   the C library's (IEEE float; no FMA contraction)
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace emu {

struct uint3 {
    unsigned int x, y, z;
};
typedef uint3 dim3;

enum LaneState : uint8_t { LaneNotStarted, LaneReady, LaneAtBarrier, LaneAtCollective, LaneDone, LaneFailed };
enum CollectiveOp : uint8_t { OpShuffle, OpSyncWarp, OpBallot };

/// One CUDA thread of the block being run.
struct Lane {
    uint3 tid;
    uint32_t linear;     // x + y Dx + z Dx Dy
    uint8_t state;       // LaneState
    uint8_t op;          // CollectiveOp while at a collective
    int16_t fiber;       // the fiber running it, -1 when none
    uint32_t mask;       // the collective's member mask
    int32_t source;      // shuffle: lane (in the warp) to read, -1 for its own value
    uint64_t value;      // posted value; the collective's result once released
};

/// The record at the top of every fiber stack.
struct RunnerView;
struct FiberHeader {
    Lane* lane;
    RunnerView* view;
};

/// Fiber stacks are aligned to their size, with the header at the top: any address on a fiber's stack
/// finds the header, so threadIdx costs two loads and no thread-local storage lookup.
constexpr uintptr_t kFiberStackBytes = 128 * 1024;
constexpr uintptr_t kFiberHeaderOffset = kFiberStackBytes - 64;

__attribute__((always_inline)) inline FiberHeader* self() {
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    return (FiberHeader*)((sp & ~(kFiberStackBytes - 1)) + kFiberHeaderOffset);
}

/// Per-runner (per OS worker) state a kernel reads: the block's coordinates and the dynamic shared buffer.
struct RunnerView {
    uint3 blockIdx, blockDim, gridDim;
    char* dynamicShared;
};

// Implemented in fake_cuda.cpp.
void syncthreads();
uint64_t warpCollective(uint8_t op, uint32_t mask, uint64_t value, int32_t source);
[[noreturn]] void trap(const char* why, const char* file, int line);
long long clockTicks();

inline RunnerView* view() { return self()->view; }
inline unsigned laneId() { return self()->lane->linear & 31u; }

/// The source lane of a shfl.sync per the PTX definition (c = ((32 - width) << 8) | clamp), or the caller's
/// own lane when the source falls outside its segment. (srcLane 37 reads lane 5, as CUDA documents.)
inline int shuffleSource(int mode, int lane, int b, int width) {
    b &= 31;  // bval = b[4:0]
    int segmask = (32 - width) & 31;
    int clamp = mode == 0 ? 0 : 0x1f;  // mode 0: up
    int maxLane = (lane & segmask) | (clamp & ~segmask);
    int minLane = lane & segmask;
    int j;
    bool valid;
    switch (mode) {
    case 0: j = lane - b; valid = j >= maxLane; break;                       // up
    case 1: j = lane + b; valid = j <= maxLane; break;                       // down
    case 2: j = lane ^ b; valid = j <= maxLane; break;                       // bfly (xor)
    default: j = minLane | (b & ~segmask); valid = j <= maxLane; break;      // idx
    }
    return valid && j >= 0 && j < 32 ? j : lane;
}

template <class T> inline T shuffle(unsigned mask, T v, int mode, int b, int width) {
    static_assert(sizeof(T) <= 8, "shuffles of at most 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    int lane = (int)laneId();
    int source = shuffleSource(mode, lane, b, width);
    bits = warpCollective(OpShuffle, mask, bits, source == lane ? -1 : source);
    T r;
    memcpy(&r, &bits, sizeof(T));
    return r;
}

/// Pointer arguments are checked against the driver's allocations at launch.
template <class T> struct IsPointerArg : std::is_pointer<T> {};

template <class F> struct FunctionTraits;
template <class... A> struct FunctionTraits<void (*)(A...)> {
    using Tuple = std::tuple<std::decay_t<A>...>;
    static constexpr size_t count = sizeof...(A);
};

/// One kernel the emulator can run: its name, its parameters' sizes and kinds (checked against the PTX
/// the driver is given) and the functions that bind a launch's `void** params` and run one CUDA thread.
struct KernelDef {
    const char* name;
    const char* program;
    int parameterCount;
    const uint8_t* parameterSizes;
    const char* parameterKinds;  // 'p' pointer, 'i' integer, 'f' floating point, 'o' other
    void* (*bind)(void** params);
    void (*call)(void* bound);
    void (*release)(void* bound);
    const void* (*pointer)(void* bound, int index);  // the value of pointer parameter `index` (else null)
};

template <class T> constexpr char kindOf() {
    return std::is_pointer<T>::value ? 'p' : std::is_integral<T>::value || std::is_enum<T>::value ? 'i'
        : std::is_floating_point<T>::value ? 'f' : 'o';
}

template <auto Fn> struct Binder {
    using Traits = FunctionTraits<decltype(Fn)>;
    using Tuple = typename Traits::Tuple;
    static constexpr size_t N = Traits::count;

    template <size_t... I> static Tuple unpack(void** params, std::index_sequence<I...>) {
        return Tuple{load<std::tuple_element_t<I, Tuple>>(params[I])...};
    }
    template <class T> static T load(void* p) {
        T v;
        memcpy((void*)&v, p, sizeof(T));
        return v;
    }
    static void* bind(void** params) { return new Tuple(unpack(params, std::make_index_sequence<N>())); }
    static void call(void* bound) { std::apply(Fn, *(Tuple*)bound); }
    static void release(void* bound) { delete (Tuple*)bound; }
    template <size_t... I> static const void* pointerAt(void* bound, int index, std::index_sequence<I...>) {
        const void* result = nullptr;
        Tuple& t = *(Tuple*)bound;
        ((void)((int)I == index ? (result = pointerValue(std::get<I>(t)), 0) : 0), ...);
        return result;
    }
    template <class T> static const void* pointerValue(const T& v) {
        if constexpr (std::is_pointer<T>::value) return (const void*)v;
        else return nullptr;
    }
    static const void* pointer(void* bound, int index) { return pointerAt(bound, index, std::make_index_sequence<N>()); }

    template <size_t... I> static constexpr std::array<uint8_t, N + 1> sizes(std::index_sequence<I...>) {
        return {{(uint8_t)sizeof(std::tuple_element_t<I, Tuple>)..., 0}};
    }
    template <size_t... I> static constexpr std::array<char, N + 1> kinds(std::index_sequence<I...>) {
        return {{kindOf<std::tuple_element_t<I, Tuple>>()..., 0}};
    }
    static constexpr std::array<uint8_t, N + 1> sizeTable = sizes(std::make_index_sequence<N>());
    static constexpr std::array<char, N + 1> kindTable = kinds(std::make_index_sequence<N>());

    static KernelDef define(const char* name, const char* program) {
        return KernelDef{name, program, (int)N, sizeTable.data(), kindTable.data(), &bind, &call, &release, &pointer};
    }
};

/// Adds kernels to the emulator's table (called from each generated translation unit's static initializer).
void registerKernels(const KernelDef* defs, int count);

struct Registrar {
    Registrar(const KernelDef* defs, int count) { registerKernels(defs, count); }
};

}  // namespace emu

// The driver (fake_cuda.cpp) needs only the declarations above, not the dialect's macros.
#ifndef RLHF_EMU_RUNTIME_ONLY

// ---- the CUDA C dialect ----------------------------------------------------------------------------------

#define __global__
#define __device__
#define __host__
#define __noinline__ __attribute__((noinline))
#define __forceinline__ inline __attribute__((always_inline))
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) alignas(n)
#define __shared__ static thread_local
#define __constant__ static const
#define __managed__

#define threadIdx (::emu::self()->lane->tid)
#define blockIdx (::emu::view()->blockIdx)
#define blockDim (::emu::view()->blockDim)
#define gridDim (::emu::view()->gridDim)
#define warpSize 32

using emu::dim3;
using emu::uint3;

inline void __syncthreads() { emu::syncthreads(); }
inline int __syncthreads_count(int p) { (void)p; emu::trap("__syncthreads_count is not emulated", __FILE__, __LINE__); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { emu::warpCollective(emu::OpSyncWarp, mask, 0, -1); }
inline unsigned __ballot_sync(unsigned mask, int predicate) {
    return (unsigned)emu::warpCollective(emu::OpBallot, mask, predicate != 0, -1);
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return __ballot_sync(mask, !predicate) == 0; }
inline unsigned __activemask() { return (unsigned)emu::warpCollective(emu::OpBallot, 0xffffffffu, 1, -1); }
inline unsigned __lanemask_lt() { return (1u << emu::laneId()) - 1u; }

template <class T> inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) { return emu::shuffle(mask, v, 0, (int)delta, width); }
template <class T> inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) { return emu::shuffle(mask, v, 1, (int)delta, width); }
template <class T> inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) { return emu::shuffle(mask, v, 2, laneMask, width); }
template <class T> inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) { return emu::shuffle(mask, v, 3, srcLane, width); }

inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __trap() { emu::trap("__trap()", __FILE__, __LINE__); }
inline long long clock64() { return emu::clockTicks(); }

// Device assert: fails the launch with CUDA_ERROR_ASSERT.
#undef assert
#define assert(e) ((e) ? (void)0 : ::emu::trap("assertion failed: " #e, __FILE__, __LINE__))

// bit reinterpretation
inline float __int_as_float(int x) { float f; memcpy(&f, &x, 4); return f; }
inline float __uint_as_float(unsigned x) { float f; memcpy(&f, &x, 4); return f; }
inline int __float_as_int(float x) { int i; memcpy(&i, &x, 4); return i; }
inline unsigned __float_as_uint(float x) { unsigned i; memcpy(&i, &x, 4); return i; }
inline double __longlong_as_double(long long x) { double d; memcpy(&d, &x, 8); return d; }
inline long long __double_as_longlong(double x) { long long i; memcpy(&i, &x, 8); return i; }

// read-only cache loads
template <class T> inline T __ldg(const T* p) { return *p; }

// integer and bit intrinsics
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(x);
}
inline int __mulhi(int a, int b) { return (int)(((long long)a * b) >> 32); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }

// min / max as CUDA's math_functions.hpp overloads them
inline int min(int a, int b) { return a < b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned min(int a, unsigned b) { return min((unsigned)a, b); }
inline unsigned min(unsigned a, int b) { return min(a, (unsigned)b); }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline long min(long a, long b) { return a < b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline unsigned max(int a, unsigned b) { return max((unsigned)a, b); }
inline unsigned max(unsigned a, int b) { return max(a, (unsigned)b); }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline int umin(unsigned a, unsigned b) { return (int)min(a, b); }
inline long long llmin(long long a, long long b) { return min(a, b); }
inline long long llmax(long long a, long long b) { return max(a, b); }

// float intrinsics (the fast forms computed exactly: the emulator does not reproduce their error)
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / cbrtf(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float fdividef(float x, float y) { return x / y; }
inline float __saturatef(float x) { return x != x ? 0.0f : x < 0.0f ? 0.0f : x > 1.0f ? 1.0f : x; }
inline float exp10f(float x) { return powf(10.0f, x); }
inline void sincosf_emu(float x, float* s, float* c) { *s = sinf(x); *c = cosf(x); }
inline void __sincosf(float x, float* s, float* c) { *s = sinf(x); *c = cosf(x); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline int __float2int_rn(float x) { return (int)nearbyintf(x); }
inline int __float2int_rz(float x) { return (int)x; }
inline int __float2int_rd(float x) { return (int)floorf(x); }
inline int __float2int_ru(float x) { return (int)ceilf(x); }
inline unsigned __float2uint_rn(float x) { return (unsigned)nearbyintf(x); }
inline float __int2float_rn(int x) { return (float)x; }
inline float __uint2float_rn(unsigned x) { return (float)x; }
inline long long __float2ll_rn(float x) { return (long long)nearbyintf(x); }
inline float __double2float_rn(double x) { return (float)x; }

// atomics (real atomics: blocks may run on several OS threads at once)
template <class T> inline T atomicAdd(T* p, T v) {
    if constexpr (std::is_integral<T>::value) {
        return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
    } else {
        T old = __atomic_load_n(p, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(p, &old, (T)(old + v), true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
        return old;
    }
}
inline float atomicAdd(float* p, float v) {
    uint32_t* bits = (uint32_t*)p;
    uint32_t old = __atomic_load_n(bits, __ATOMIC_RELAXED);
    for (;;) {
        float next = __uint_as_float(old) + v;
        if (__atomic_compare_exchange_n(bits, &old, __float_as_uint(next), true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return __uint_as_float(old);
    }
}
inline double atomicAdd(double* p, double v) {
    uint64_t* bits = (uint64_t*)p;
    uint64_t old = __atomic_load_n(bits, __ATOMIC_RELAXED);
    for (;;) {
        double current, next;
        memcpy(&current, &old, 8);
        next = current + v;
        uint64_t nextBits;
        memcpy(&nextBits, &next, 8);
        if (__atomic_compare_exchange_n(bits, &old, nextBits, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return current;
    }
}
template <class T> inline T atomicSub(T* p, T v) { return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED); }
template <class T> inline T atomicExch(T* p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
inline float atomicExch(float* p, float v) { return __uint_as_float(__atomic_exchange_n((uint32_t*)p, __float_as_uint(v), __ATOMIC_RELAXED)); }
template <class T> inline T atomicCAS(T* p, T compare, T v) {
    __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
template <class T> inline T atomicMax(T* p, T v) {
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
template <class T> inline T atomicMin(T* p, T v) {
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old > v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
template <class T> inline T atomicAnd(T* p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_RELAXED); }
template <class T> inline T atomicOr(T* p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_RELAXED); }
template <class T> inline T atomicXor(T* p, T v) { return __atomic_fetch_xor(p, v, __ATOMIC_RELAXED); }
inline unsigned atomicInc(unsigned* p, unsigned limit) {
    unsigned old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(p, &old, old >= limit ? 0u : old + 1u, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}

#endif  // RLHF_EMU_RUNTIME_ONLY
