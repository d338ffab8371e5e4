// Checks of the emulator itself (build.sh OUT_DIR --selftest): barriers, every warp collective, block and grid
// shapes, parameter unpacking, atomics across worker threads, the launch-time checks, the failures a kernel
// bug must produce (divergent collectives, asserts, traps, writes past an allocation, stack overflow), and
// the emulated cuBLAS against a plain loop. Links fake_cuda.o directly (with its own test kernels) and opens
// OUT_DIR/libcublas.so.12.
#include <dlfcn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "cuda_emu.h"

extern "C" {
int cuInit(unsigned);
int cuDeviceGet(int*, int);
int cuDevicePrimaryCtxRetain(void**, int);
int cuCtxSetCurrent(void*);
int cuStreamCreate(void**, unsigned);
int cuMemAlloc_v2(unsigned long long*, size_t);
int cuMemFree_v2(unsigned long long);
int cuMemcpyHtoDAsync_v2(unsigned long long, const void*, size_t, void*);
int cuMemcpyDtoHAsync_v2(void*, unsigned long long, size_t, void*);
int cuMemsetD32Async(unsigned long long, unsigned, size_t, void*);
int cuModuleLoadData(void**, const void*);
int cuModuleGetFunction(void**, void*, const char*);
int cuFuncSetAttribute(void*, int, int);
int cuLaunchKernel(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
int cuGetErrorString(int, const char**);
}

// ---- test kernels ---------------------------------------------------------------------------------------------

namespace t {

__global__ void barrier_reverse(int* out) {
    __shared__ int s[1024];
    int i = threadIdx.x;
    s[i] = i * 3;
    __syncthreads();
    out[blockIdx.x * blockDim.x + i] = s[blockDim.x - 1 - i];
}

__global__ void shuffles(int* out) {
    int lane = threadIdx.x & 31, base = threadIdx.x * 8;
    out[base + 0] = __shfl_up_sync(0xffffffffu, lane, 3);
    out[base + 1] = __shfl_up_sync(0xffffffffu, lane, 3, 8);
    out[base + 2] = __shfl_down_sync(0xffffffffu, lane, 3);
    out[base + 3] = __shfl_down_sync(0xffffffffu, lane, 3, 8);
    out[base + 4] = __shfl_xor_sync(0xffffffffu, lane, 5);
    out[base + 5] = __shfl_sync(0xffffffffu, lane, 7, 8);
    out[base + 6] = __shfl_sync(0xffffffffu, lane, 37);
    out[base + 7] = (int)__ballot_sync(0xffffffffu, lane % 3 == 0);
}

__global__ void double_shuffle(double* out) {
    double v = threadIdx.x + 0.25;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    out[threadIdx.x] = v;
}

__global__ void partial_mask(int* out) {
    int lane = threadIdx.x & 31, v = lane;
    if (lane < 16) v = __shfl_xor_sync(0x0000ffffu, v, 1);
    out[threadIdx.x] = v;
}

__global__ void shapes(int* out) {
    unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    unsigned linear = threadIdx.x + threadIdx.y * blockDim.x + threadIdx.z * blockDim.x * blockDim.y;
    unsigned block = blockIdx.x + blockIdx.y * gridDim.x + blockIdx.z * gridDim.x * gridDim.y;
    out[block * threads + linear] = (int)(threadIdx.x | threadIdx.y << 4 | threadIdx.z << 8 | blockIdx.x << 12 | blockIdx.y << 16 |
                                          blockIdx.z << 20);
}

__global__ void block_sum(const float* x, float* out, int n) {
    __shared__ float warpSums[32];
    float v = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) v += x[i];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) warpSums[threadIdx.x >> 5] = v;
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.0f;
        for (unsigned w = 0; w < blockDim.x / 32; ++w) total += warpSums[w];
        out[blockIdx.x] = total;
    }
}

__global__ void exits_early(int* out) {
    if (threadIdx.x % 2) return;
    __syncthreads();
    out[threadIdx.x] = 1;
}

__global__ void params(char c, short s, int i, long long l, float f, double d, const float* p, int* out) {
    if (threadIdx.x != 0) return;
    out[0] = c;
    out[1] = s;
    out[2] = i;
    out[3] = (int)(l >> 32);
    out[4] = (int)(f * 4);
    out[5] = (int)(d * 8);
    out[6] = (int)p[0];
}

__global__ void counts(int* counter) { atomicAdd(counter, 1); }

__global__ void dynamic_shared(float* out, int n) {
    float* buffer = (float*)::emu::view()->dynamicShared;
    for (int i = threadIdx.x; i < n; i += blockDim.x) buffer[i] = 1.0f;
    __syncthreads();
    float sum = 0;
    for (int i = 0; i < n; ++i) sum += buffer[i];
    if (threadIdx.x == 0) out[0] = sum;
}

__global__ void divergent(int* out) {
    int lane = threadIdx.x & 31;
    if (lane < 16) out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, lane, 1);
}

__global__ void asserts(int* out) {
    assert(threadIdx.x < 5);
    out[threadIdx.x] = 1;
}

__global__ void traps(int* out) {
    if (threadIdx.x == 3) __trap();
    out[threadIdx.x] = 1;
}

__global__ void writes(float* out, int at) { out[at + (int)threadIdx.x] = 1.0f; }

__device__ __noinline__ int recurse(volatile int* p, int depth) {
    volatile char pad[1024];
    pad[depth % 1024] = (char)depth;
    if (depth == 0) return *p;
    int below = recurse(p, depth - 1);  // the frame (with its volatile pad) lives across the call
    return below + pad[(depth * 7) % 1024];
}

__global__ void deep(int* out, int depth) { out[0] = recurse(out, depth); }

}  // namespace t

static const emu::KernelDef kDefinitions[] = {
    emu::Binder<&t::barrier_reverse>::define("barrier_reverse", "selftest"),
    emu::Binder<&t::shuffles>::define("shuffles", "selftest"),
    emu::Binder<&t::double_shuffle>::define("double_shuffle", "selftest"),
    emu::Binder<&t::partial_mask>::define("partial_mask", "selftest"),
    emu::Binder<&t::shapes>::define("shapes", "selftest"),
    emu::Binder<&t::block_sum>::define("block_sum", "selftest"),
    emu::Binder<&t::exits_early>::define("exits_early", "selftest"),
    emu::Binder<&t::params>::define("params", "selftest"),
    emu::Binder<&t::counts>::define("counts", "selftest"),
    emu::Binder<&t::dynamic_shared>::define("dynamic_shared", "selftest"),
    emu::Binder<&t::divergent>::define("divergent", "selftest"),
    emu::Binder<&t::asserts>::define("asserts", "selftest"),
    emu::Binder<&t::traps>::define("traps", "selftest"),
    emu::Binder<&t::writes>::define("writes", "selftest"),
    emu::Binder<&t::deep>::define("deep", "selftest"),
};
static emu::Registrar kRegistrar(kDefinitions, sizeof kDefinitions / sizeof kDefinitions[0]);

// ---- host side -------------------------------------------------------------------------------------------------

static int failures = 0;
#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (!(cond)) {                                           \
            ++failures;                                          \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            printf(__VA_ARGS__);                                 \
            printf("\n");                                        \
        }                                                        \
    } while (0)

/// PTX text declaring every test kernel with its real parameter list, plus `extra` entries.
static std::string ptx(const std::string& extra = "") {
    std::string text = ".version 8.0\n.target sm_90\n.address_size 64\n";
    for (const emu::KernelDef& d : kDefinitions) {
        text += ".visible .entry " + std::string(d.name) + "(\n";
        for (int i = 0; i < d.parameterCount; ++i) {
            std::string type = d.parameterKinds[i] == 'f' ? ".f" : d.parameterKinds[i] == 'p' ? ".u" : ".s";
            text += "\t.param " + type + std::to_string(d.parameterSizes[i] * 8) + " " + d.name + "_param_" + std::to_string(i) +
                    (i + 1 < d.parameterCount ? ",\n" : "\n");
        }
        text += ")\n{\n\tret;\n}\n";
    }
    return text + extra;
}

static void* gModule;
static void* function(const char* name) {
    void* f = nullptr;
    int r = cuModuleGetFunction(&f, gModule, name);
    CHECK(r == 0, "cuModuleGetFunction(%s) = %d", name, r);
    return f;
}

template <class T> static T* device(size_t count) {
    unsigned long long p = 0;
    int r = cuMemAlloc_v2(&p, count * sizeof(T));
    CHECK(r == 0, "cuMemAlloc(%zu) = %d", count * sizeof(T), r);
    cuMemsetD32Async(p, 0, count * sizeof(T) / 4, nullptr);
    return (T*)(uintptr_t)p;
}

template <class... A> static int launch(const char* name, emu::uint3 grid, emu::uint3 block, unsigned shared, A... args) {
    void* values[] = {(void*)&args..., nullptr};
    return cuLaunchKernel(function(name), grid.x, grid.y, grid.z, block.x, block.y, block.z, shared, nullptr, values, nullptr);
}

/// Runs `body` in a child process; returns its exit status, or 128 + the signal that ended it.
static int inChild(const std::function<int()>& body) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) _exit(body());
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void kernelTests() {
    // barrier: every thread reads what another wrote before the barrier
    {
        int* out = device<int>(4 * 1024);
        CHECK(launch("barrier_reverse", {4, 1, 1}, {1024, 1, 1}, 0, out) == 0, "launch");
        bool ok = true;
        for (int b = 0; b < 4; ++b)
            for (int i = 0; i < 1024; ++i) ok = ok && out[b * 1024 + i] == (1023 - i) * 3;
        CHECK(ok, "barrier_reverse");
    }
    // shuffles, by the PTX rules, on a block of two warps
    {
        int* out = device<int>(64 * 8);
        CHECK(launch("shuffles", {1, 1, 1}, {64, 1, 1}, 0, out) == 0, "launch");
        unsigned ballot = 0;
        for (int l = 0; l < 32; l += 3) ballot |= 1u << l;
        for (int i = 0; i < 64; ++i) {
            int lane = i & 31, *o = out + i * 8;
            CHECK(o[0] == (lane < 3 ? lane : lane - 3), "up lane %d: %d", lane, o[0]);
            CHECK(o[1] == (lane % 8 < 3 ? lane : lane - 3), "up width 8 lane %d: %d", lane, o[1]);
            CHECK(o[2] == (lane + 3 < 32 ? lane + 3 : lane), "down lane %d: %d", lane, o[2]);
            CHECK(o[3] == (lane % 8 + 3 < 8 ? lane + 3 : lane), "down width 8 lane %d: %d", lane, o[3]);
            CHECK(o[4] == (lane ^ 5), "xor lane %d: %d", lane, o[4]);
            CHECK(o[5] == ((lane & ~7) + 7), "idx width 8 lane %d: %d", lane, o[5]);
            CHECK(o[6] == 5, "idx 37 lane %d: %d", lane, o[6]);
            CHECK((unsigned)o[7] == ballot, "ballot lane %d: %x", lane, o[7]);
        }
    }
    {
        double* out = device<double>(32);
        CHECK(launch("double_shuffle", {1, 1, 1}, {32, 1, 1}, 0, out) == 0, "launch");
        CHECK(out[0] == 496 + 8 && out[31] == 504, "double xor sum %g %g", out[0], out[31]);
    }
    {
        int* out = device<int>(32);
        CHECK(launch("partial_mask", {1, 1, 1}, {32, 1, 1}, 0, out) == 0, "launch");
        for (int l = 0; l < 32; ++l) CHECK(out[l] == (l < 16 ? l ^ 1 : l), "partial mask lane %d: %d", l, out[l]);
    }
    // 3-D blocks and grids
    {
        emu::uint3 grid{3, 2, 2}, block{4, 3, 2};
        int* out = device<int>(12 * 24);
        CHECK(launch("shapes", grid, block, 0, out) == 0, "launch");
        bool ok = true;
        for (unsigned bz = 0; bz < 2; ++bz) for (unsigned by = 0; by < 2; ++by) for (unsigned bx = 0; bx < 3; ++bx)
            for (unsigned z = 0; z < 2; ++z) for (unsigned y = 0; y < 3; ++y) for (unsigned x = 0; x < 4; ++x) {
                unsigned b = bx + by * 3 + bz * 6, l = x + y * 4 + z * 12;
                ok = ok && out[b * 24 + l] == (int)(x | y << 4 | z << 8 | bx << 12 | by << 16 | bz << 20);
            }
        CHECK(ok, "3-D shapes");
    }
    // many blocks on the worker pool, and the time a fiber switch takes
    {
        int n = 1 << 20, blocks = 1024;
        std::vector<float> host(n);
        std::mt19937 rng(1);
        for (float& v : host) v = std::uniform_real_distribution<float>(-1, 1)(rng);
        float* x = device<float>(n);
        float* out = device<float>(blocks);
        cuMemcpyHtoDAsync_v2((uintptr_t)x, host.data(), n * 4, nullptr);
        auto started = std::chrono::steady_clock::now();
        CHECK(launch("block_sum", {(unsigned)blocks, 1, 1}, {256, 1, 1}, 0, (const float*)x, out, n) == 0, "launch");
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        double total = 0, want = 0;
        for (int b = 0; b < blocks; ++b) total += out[b];
        for (float v : host) want += v;
        CHECK(std::fabs(total - want) < 1e-2, "block_sum %g vs %g", total, want);
        printf("block_sum: %d blocks x 256 threads (5 shuffles, 2 barriers each) in %.3f s: %.0f ns per thread\n", blocks, seconds,
               seconds * 1e9 / (blocks * 256.0));
    }
    {
        int* out = device<int>(64);
        CHECK(launch("exits_early", {1, 1, 1}, {64, 1, 1}, 0, out) == 0, "exited threads count as arrived at the barrier");
        for (int i = 0; i < 64; ++i) CHECK(out[i] == (i % 2 ? 0 : 1), "exits_early %d", i);
    }
    {
        float* p = device<float>(1);
        float seven = 7;
        cuMemcpyHtoDAsync_v2((uintptr_t)p, &seven, 4, nullptr);
        int* out = device<int>(8);
        CHECK(launch("params", {1, 1, 1}, {32, 1, 1}, 0, (char)-3, (short)-300, 123456, (long long)5 << 32, 2.5f, 0.625, (const float*)p,
                     out) == 0,
              "launch");
        int want[] = {-3, -300, 123456, 5, 10, 5, 7};
        for (int i = 0; i < 7; ++i) CHECK(out[i] == want[i], "parameter %d: %d, want %d", i, out[i], want[i]);
    }
    {
        int* counter = device<int>(1);
        CHECK(launch("counts", {200, 1, 1}, {256, 1, 1}, 0, counter) == 0, "launch");
        CHECK(*counter == 200 * 256, "atomicAdd across blocks: %d", *counter);
    }
    // dynamic shared memory: 48 KiB without asking, up to 227 KiB with cuFuncSetAttribute
    {
        float* out = device<float>(1);
        int n = 50 * 1024 / 4;
        CHECK(launch("dynamic_shared", {1, 1, 1}, {128, 1, 1}, 12 * 1024 * 4, out, 12 * 1024) == 0, "48 KiB");
        CHECK(launch("dynamic_shared", {1, 1, 1}, {128, 1, 1}, n * 4, out, n) == 1, "50 KiB without the attribute");
        CHECK(cuFuncSetAttribute(function("dynamic_shared"), 8, 227 * 1024) == 0, "attribute");
        CHECK(cuFuncSetAttribute(function("dynamic_shared"), 8, 228 * 1024) == 1, "attribute past the limit");
        CHECK(launch("dynamic_shared", {1, 1, 1}, {128, 1, 1}, n * 4, out, n) == 0, "50 KiB with the attribute");
        CHECK(*out == (float)n, "dynamic shared sum %g", *out);
    }
    // launch shapes the hardware refuses
    {
        int* out = device<int>(2048);
        CHECK(launch("exits_early", {1, 1, 1}, {1025, 1, 1}, 0, out) == 1, "1025 threads");
        CHECK(launch("exits_early", {1, 1, 1}, {32, 32, 2}, 0, out) == 1, "2048 threads in 3-D");
        CHECK(launch("exits_early", {1, 70000, 1}, {32, 1, 1}, 0, out) == 1, "grid y > 65535");
        int local[64];
        CHECK(launch("exits_early", {1, 1, 1}, {64, 1, 1}, 0, local) == 700, "a host pointer as a kernel argument");
    }
    // the module must declare the kernel, with the parameter list the emulator was built from
    {
        void* f = nullptr;
        CHECK(cuModuleGetFunction(&f, gModule, "not_a_kernel") == 500, "unknown name");
        std::string wrong = ".version 8.0\n.target sm_90\n.visible .entry counts(\n\t.param .u32 counts_param_0\n)\n{\n}\n";
        void* m = nullptr;
        CHECK(cuModuleLoadData(&m, wrong.c_str()) == 0, "load");
        CHECK(cuModuleGetFunction(&f, m, "counts") == 500, "mismatched parameters");
        std::string bounded = ".version 8.0\n.target sm_90\n.visible .entry counts(\n\t.param .u64 counts_param_0\n)\n.maxntid 128, 1, 1\n{\n}\n";
        CHECK(cuModuleLoadData(&m, bounded.c_str()) == 0, "load");
        CHECK(cuModuleGetFunction(&f, m, "counts") == 0, "get");
        int* counter = device<int>(1);
        void* args[] = {&counter};
        CHECK(cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr) == 701, "past __launch_bounds__");
        CHECK(cuLaunchKernel(f, 1, 1, 1, 128, 1, 1, 0, nullptr, args, nullptr) == 0, "within __launch_bounds__");
    }
    // failures, each in a child (they poison the context, as on a GPU)
    {
        int r = inChild([] { return launch("divergent", {1, 1, 1}, {32, 1, 1}, 0, device<int>(32)); });
        CHECK(r == 715 % 256, "divergent shuffle: %d", r);
        r = inChild([] {
            int* out = device<int>(32);
            int first = launch("asserts", {1, 1, 1}, {32, 1, 1}, 0, out);
            unsigned long long p;
            return first == 710 && cuMemAlloc_v2(&p, 4) == 710 ? 0 : 1;
        });
        CHECK(r == 0, "assert, then a sticky error: %d", r);
        r = inChild([] { return launch("traps", {1, 1, 1}, {32, 1, 1}, 0, device<int>(32)); });
        CHECK(r == 719 % 256, "trap: %d", r);
        r = inChild([] { return launch("writes", {1, 1, 1}, {1, 1, 1}, 0, device<float>(10), 10); });
        CHECK(r == 700 % 256, "one float past the end (canary): %d", r);
        r = inChild([] { return launch("writes", {1, 1, 1}, {1, 1, 1}, 0, device<float>(1024), 1024 + 64); });
        CHECK(r == 128 + SIGSEGV, "past the end into the guard page: %d", r);
        r = inChild([] { return launch("deep", {1, 1, 1}, {1, 1, 1}, 0, device<int>(1), 1000); });
        CHECK(r == 128 + SIGSEGV, "fiber stack overflow: %d", r);
    }
}

// ---- cuBLAS ------------------------------------------------------------------------------------------------------

typedef int (*Create)(void**);
typedef int (*SetMath)(void*, int);
typedef int (*Sgemm)(void*, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*, float*, int);
typedef int (*SgemmBatched)(void*, int, int, int, int, int, const float*, const float*, int, long long, const float*, int, long long,
                            const float*, float*, int, long long, int);
typedef int (*GemmEx)(void*, int, int, int, int, int, const void*, const void*, int, int, const void*, int, int, const void*, void*, int,
                      int, int, int);

static float tf32(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
    memcpy(&x, &u, 4);
    return x;
}

/// The documented numerics: float sums in k order, then alpha * sum + beta * C (C not read when beta is 0).
static void reference(int ta, int tb, int m, int n, int k, float alpha, const std::function<float(long long)>& a, int lda,
                      const std::function<float(long long)>& b, int ldb, float beta, float* c, int ldc) {
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) {
            float sum = 0;
            for (int p = 0; p < k; ++p) sum += a(ta ? p + (long long)i * lda : i + (long long)p * lda) * b(tb ? j + (long long)p * ldb : p + (long long)j * ldb);
            float& out = c[i + (long long)j * ldc];
            out = beta == 0 ? alpha * sum : alpha * sum + beta * out;
        }
}

static void blasTests(const char* folder) {
    std::string path = std::string(folder) + "/libcublas.so.12";
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    CHECK(lib, "dlopen %s: %s", path.c_str(), dlerror());
    if (!lib) return;
    auto create = (Create)dlsym(lib, "cublasCreate_v2");
    auto setMath = (SetMath)dlsym(lib, "cublasSetMathMode");
    auto sgemm = (Sgemm)dlsym(lib, "cublasSgemm_v2");
    auto batched = (SgemmBatched)dlsym(lib, "cublasSgemmStridedBatched");
    auto gemmEx = (GemmEx)dlsym(lib, "cublasGemmEx");
    void* h = nullptr;
    CHECK(create(&h) == 0, "create");
    std::mt19937 rng(7);
    auto uniform = [&](float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); };
    int cases = 0;
    for (int trial = 0; trial < 40; ++trial) {
        int ta = trial & 1, tb = (trial >> 1) & 1, mode = trial % 5;
        int m = 1 + (int)(rng() % 70), n = 1 + (int)(rng() % 50), k = trial % 13 == 12 ? 0 : 1 + (int)(rng() % 90);
        int lda = (ta ? k : m) + (int)(rng() % 3), ldb = (tb ? n : k) + (int)(rng() % 3), ldc = m + (int)(rng() % 3);
        lda = std::max(lda, 1);
        ldb = std::max(ldb, 1);
        float alpha = mode == 3 ? 0.0f : uniform(-2, 2), beta = mode == 0 ? 0.0f : uniform(-1, 1);
        size_t aCount = (size_t)lda * (ta ? m : k) + 1, bCount = (size_t)ldb * (tb ? k : n) + 1, cCount = (size_t)ldc * n;
        float* A = device<float>(aCount);
        float* B = device<float>(bCount);
        float* C = device<float>(cCount);
        for (size_t i = 0; i < aCount; ++i) A[i] = uniform(-1, 1);
        for (size_t i = 0; i < bCount; ++i) B[i] = uniform(-1, 1);
        std::vector<float> want(cCount);
        for (size_t i = 0; i < cCount; ++i) want[i] = C[i] = beta == 0 ? NAN : uniform(-1, 1);
        bool useTF32 = mode == 4;
        setMath(h, useTF32 ? 3 : 2);
        auto fa = [&](long long i) { return useTF32 ? tf32(A[i]) : A[i]; };
        auto fb = [&](long long i) { return useTF32 ? tf32(B[i]) : B[i]; };
        reference(ta, tb, m, n, k, alpha, fa, lda, fb, ldb, beta, want.data(), ldc);
        int r = sgemm(h, ta, tb, m, n, k, &alpha, A, lda, B, ldb, &beta, C, ldc);
        CHECK(r == 0, "sgemm %d", r);
        size_t bad = 0;
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < m; ++i) {
                float got = C[i + (size_t)j * ldc], w = want[i + (size_t)j * ldc];
                if (memcmp(&got, &w, 4) != 0) ++bad;
            }
        CHECK(bad == 0, "sgemm %c%c m%d n%d k%d lda%d ldb%d ldc%d alpha %g beta %g tf32 %d: %zu elements differ from the k-order float sum",
              ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, lda, ldb, ldc, alpha, beta, useTF32, bad);
        // bfloat16 operands through GemmEx
        std::vector<uint16_t> a16(aCount), b16(bCount);
        uint16_t* A16 = device<uint16_t>(aCount + 1);
        uint16_t* B16 = device<uint16_t>(bCount + 1);
        for (size_t i = 0; i < aCount; ++i) { uint32_t u; memcpy(&u, &A[i], 4); A16[i] = (uint16_t)(u >> 16); }
        for (size_t i = 0; i < bCount; ++i) { uint32_t u; memcpy(&u, &B[i], 4); B16[i] = (uint16_t)(u >> 16); }
        auto widen = [](uint16_t v) { uint32_t u = (uint32_t)v << 16; float f; memcpy(&f, &u, 4); return f; };
        for (size_t i = 0; i < cCount; ++i) want[i] = C[i] = beta == 0 ? NAN : uniform(-1, 1);
        reference(ta, tb, m, n, k, alpha, [&](long long i) { return widen(A16[i]); }, lda, [&](long long i) { return widen(B16[i]); }, ldb,
                  beta, want.data(), ldc);
        r = gemmEx(h, ta, tb, m, n, k, &alpha, A16, 14, lda, B16, 14, ldb, &beta, C, 0, ldc, 68, -1);
        CHECK(r == 0, "gemmEx %d", r);
        bad = 0;
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < m; ++i) if (memcmp(&C[i + (size_t)j * ldc], &want[i + (size_t)j * ldc], 4) != 0) ++bad;
        CHECK(bad == 0, "gemmEx bf16 case %d: %zu elements differ", trial, bad);
        cases += 2;
    }
    // strided batches (strides past the matrices), and the checks
    {
        setMath(h, 2);
        int m = 17, n = 9, k = 33, batches = 3;
        long long sa = m * k + 5, sb = k * n + 3, sc = m * n + 7;
        float* A = device<float>(sa * batches);
        float* B = device<float>(sb * batches);
        float* C = device<float>(sc * batches);
        for (long long i = 0; i < sa * batches; ++i) A[i] = uniform(-1, 1);
        for (long long i = 0; i < sb * batches; ++i) B[i] = uniform(-1, 1);
        std::vector<float> want(sc * batches, 0);
        float alpha = 1.5f, beta = 0.0f;
        for (int i = 0; i < batches; ++i) {
            reference(0, 0, m, n, k, alpha, [&](long long x) { return A[i * sa + x]; }, m, [&](long long x) { return B[i * sb + x]; }, k, beta,
                      want.data() + i * sc, m);
        }
        CHECK(batched(h, 0, 0, m, n, k, &alpha, A, m, sa, B, k, sb, &beta, C, m, sc, batches) == 0, "batched");
        bool ok = true;
        for (int i = 0; i < batches; ++i)
            for (int x = 0; x < m * n; ++x) ok = ok && C[i * sc + x] == want[i * sc + x];
        CHECK(ok, "strided batched");
        CHECK(sgemm(h, 0, 0, m, n, k, &alpha, A, m - 1, B, k, &beta, C, m) == 7, "lda < m");
        CHECK(sgemm(nullptr, 0, 0, m, n, k, &alpha, A, m, B, k, &beta, C, m) == 1, "no handle");
        CHECK(gemmEx(h, 0, 0, m, n, k, &alpha, A, 2, m, B, 2, k, &beta, C, 0, m, 68, -1) == 15, "half operands");
        CHECK(batched(h, 0, 0, m, n, k, &alpha, A, m, sa, B, k, sb, &beta, C, m, sc, batches + 1) == 13, "batch past the allocation");
        float zero = 0;
        CHECK(sgemm(h, 0, 0, m, n, k, &zero, nullptr, m, nullptr, k, &beta, C, m) == 0, "alpha 0 reads neither A nor B");
    }
    // speed of a GPT-2-small-sized product
    {
        int m = 768, n = 512, k = 768;
        float* A = device<float>((size_t)m * k);
        float* B = device<float>((size_t)k * n);
        float* C = device<float>((size_t)m * n);
        float alpha = 1, beta = 0;
        auto started = std::chrono::steady_clock::now();
        sgemm(h, 1, 0, m, n, k, &alpha, A, k, B, k, &beta, C, m);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        printf("sgemm %dx%dx%d: %.3f s, %.2f GFLOP/s\n", m, n, k, seconds, 2.0 * m * n * k / seconds / 1e9);
    }
    printf("cuBLAS: %d products checked bit for bit against the k-order float sum\n", cases);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: selftest OUT_DIR\n");
        return 2;
    }
    int device = 0;
    void* context = nullptr;
    CHECK(cuInit(0) == 0, "cuInit");
    CHECK(cuDeviceGet(&device, 0) == 0, "cuDeviceGet");
    unsigned long long p;
    CHECK(cuMemAlloc_v2(&p, 4) == 201, "allocation without a current context");
    CHECK(cuDevicePrimaryCtxRetain(&context, device) == 0, "retain");
    CHECK(cuCtxSetCurrent(context) == 0, "set current");
    std::string text = ptx();
    CHECK(cuModuleLoadData(&gModule, text.c_str()) == 0, "load");
    kernelTests();
    blasTests(argv[1]);
    printf("selftest: %s (%d failure%s)\n", failures ? "FAILED" : "passed", failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
