// libcublas.so.12 for machines without a GPU: the cuBLAS functions the rlhf CUDA backend calls, computed on
// the CPU over the emulated driver's memory (device pointers are host pointers). See README.md.
//
// Numerics: C = alpha * op(A) op(B) + beta * C, column-major, as cuBLAS defines it (beta == 0: C is not read,
// so NaN there does not propagate; alpha == 0 or k == 0: A and B are not read). Each element of op(A) op(B) is
// a float sum over p = 0, 1, ..., k-1 in that order (no fused multiply-add, no blocking of the sum), then scaled
// by alpha and added to beta C. Real cuBLAS sums in a blocked, FMA-based, kernel-dependent order: results agree
// to float rounding, not bit for bit.
//   bfloat16 operands (CUDA_R_16BF) are widened exactly; CUBLAS_TF32_TENSOR_OP_MATH (and
//   CUBLAS_COMPUTE_32F_FAST_TF32) round float operands to TF32 (10 mantissa bits, nearest, ties away) first,
//   CUBLAS_COMPUTE_32F_FAST_16BF rounds them to bfloat16 (nearest even).
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#define EXPORT extern "C" __attribute__((visibility("default")))

typedef int cublasStatus_t;

enum : int {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
};

namespace {

constexpr int kVersionMajor = 12, kVersionMinor = 4, kVersionPatch = 0;

enum Element { F32, BF16 };
enum Rounding { Exact, ToTF32, ToBF16 };

struct Handle {
    void* stream = nullptr;
    int mathMode = 0;
    int pointerMode = 0;
};

std::mutex gMutex;
std::set<Handle*> gHandles;

bool validHandle(void* h) {
    std::lock_guard<std::mutex> lock(gMutex);
    return gHandles.count((Handle*)h) != 0;
}

void note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char* fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rlhf cuBLAS emulator: %s\n", text);
}

/// The emulated driver's allocation check, when libcuda.so.1 is the emulator (else no checks).
typedef int (*RangeCheck)(const void*, size_t, char*, size_t);
RangeCheck rangeCheck() {
    static RangeCheck check = (RangeCheck)dlsym(RTLD_DEFAULT, "rlhf_emu_cuda_check_range");
    return check;
}

/// False (with a message) when a column-major rows x columns matrix (leading dimension ld, `batches` of them
/// `stride` elements apart) reaches outside the allocation it starts in.
bool inside(const char* call, const char* name, const void* p, long long rows, long long columns, long long ld,
            long long batches, long long stride, size_t elementBytes) {
    RangeCheck check = rangeCheck();
    if (!check || rows <= 0 || columns <= 0 || batches <= 0) return true;
    long long span = (columns - 1) * ld + rows;
    long long first = std::min(0LL, (batches - 1) * stride), last = std::max(0LL, (batches - 1) * stride) + span;
    const char* start = (const char*)p + first * (long long)elementBytes;
    char why[256];
    if (check(start, (size_t)(last - first) * elementBytes, why, sizeof why) == 0) return true;
    note("%s: %s (%lld x %lld, ld %lld, %lld batch%s) reaches outside its allocation (%p is %s)", call, name, rows, columns, ld,
         batches, batches == 1 ? "" : "es", (const void*)start, why);
    return false;
}

inline float widenBF16(uint16_t bits) {
    uint32_t u = (uint32_t)bits << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

inline float roundOperand(float x, Rounding r) {
    if (r == Exact) return x;
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return x;  // inf, NaN
    if (r == ToTF32) {
        u = (u + 0x1000u) & 0xffffe000u;  // nearest, ties away from zero (cvt.rna.tf32.f32)
    } else {
        u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;  // nearest even
    }
    memcpy(&x, &u, 4);
    return x;
}

inline float load(const void* base, Element e, long long index, Rounding r) {
    return e == F32 ? roundOperand(((const float*)base)[index], r) : widenBF16(((const uint16_t*)base)[index]);
}

/// A few threads for the larger products (the calling thread takes part).
struct Pool {
    std::mutex mutex;
    std::condition_variable wake, done;
    std::function<void(int)> task;
    int parts = 0, nextPart = 0, finishedParts = 0;
    uint64_t generation = 0;
    std::vector<std::thread> threads;

    explicit Pool(int workers) {
        for (int i = 0; i < workers; ++i) threads.emplace_back([this] { loop(); });
    }
    void loop() {
        uint64_t seen = 0;
        for (;;) {
            std::unique_lock<std::mutex> lock(mutex);
            wake.wait(lock, [&] { return generation != seen; });
            seen = generation;
            work(lock);
        }
    }
    void work(std::unique_lock<std::mutex>& lock) {
        while (nextPart < parts) {
            int part = nextPart++;
            lock.unlock();
            task(part);
            lock.lock();
            if (++finishedParts == parts) done.notify_all();
        }
    }
    void run(int count, std::function<void(int)> f) {
        std::unique_lock<std::mutex> lock(mutex);
        task = std::move(f);
        parts = count;
        nextPart = 0;
        finishedParts = 0;
        ++generation;
        wake.notify_all();
        work(lock);
        done.wait(lock, [&] { return finishedParts == parts; });
        task = nullptr;
    }
};

int threadCount() {
    static int n = [] {
        const char* v = getenv("RLHF_CUDA_EMU_THREADS");
        int hardware = (int)std::thread::hardware_concurrency();
        int count = v && *v ? atoi(v) : std::min(std::max(hardware, 1), 8);
        return std::max(1, std::min(count, 64));
    }();
    return n;
}

bool gForkedChild = false;  // a fork has none of the pool's threads

Pool* pool() {
    static Pool* p = [] {
        pthread_atfork(nullptr, nullptr, [] { gForkedChild = true; });
        return threadCount() > 1 ? new Pool(threadCount() - 1) : nullptr;
    }();
    return gForkedChild ? nullptr : p;
}

/// One product C = alpha op(A) op(B) + beta C (column-major; op(A) m x k, op(B) k x n).
void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const void* A, Element aType, long long lda,
          const void* B, Element bType, long long ldb, float beta, float* C, long long ldc, Rounding rounding,
          std::vector<float>& packedA, std::vector<float>& packedB) {
    if (m == 0 || n == 0) return;
    if (k == 0 || alpha == 0.0f) {
        for (int j = 0; j < n; ++j) {
            float* c = C + (long long)j * ldc;
            for (int i = 0; i < m; ++i) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
        }
        return;
    }
    // op(A) packed column-major m x k, op(B) packed column-major k x n, both widened and rounded once
    packedA.resize((size_t)m * k);
    packedB.resize((size_t)k * n);
    for (int p = 0; p < k; ++p) {
        float* a = packedA.data() + (size_t)p * m;
        if (!transA) for (int i = 0; i < m; ++i) a[i] = load(A, aType, i + p * lda, rounding);
        else for (int i = 0; i < m; ++i) a[i] = load(A, aType, p + i * lda, rounding);
    }
    for (int j = 0; j < n; ++j) {
        float* b = packedB.data() + (size_t)j * k;
        if (!transB) for (int p = 0; p < k; ++p) b[p] = load(B, bType, p + j * ldb, rounding);
        else for (int p = 0; p < k; ++p) b[p] = load(B, bType, j + p * ldb, rounding);
    }
    const float* a = packedA.data();
    const float* b = packedB.data();
    // columns of C in parts; each part accumulates its columns over row blocks (A block reused across columns)
    constexpr int kRowBlock = 512;
    auto columns = [&](int j0, int j1) {
        float sums[kRowBlock];
        for (int i0 = 0; i0 < m; i0 += kRowBlock) {
            int rows = std::min(kRowBlock, m - i0);
            for (int j = j0; j < j1; ++j) {
                for (int i = 0; i < rows; ++i) sums[i] = 0.0f;
                const float* bj = b + (size_t)j * k;
                for (int p = 0; p < k; ++p) {
                    const float* ap = a + (size_t)p * m + i0;
                    float bp = bj[p];
                    for (int i = 0; i < rows; ++i) sums[i] += ap[i] * bp;
                }
                float* c = C + (long long)j * ldc + i0;
                if (beta == 0.0f) for (int i = 0; i < rows; ++i) c[i] = alpha * sums[i];
                else for (int i = 0; i < rows; ++i) c[i] = alpha * sums[i] + beta * c[i];
            }
        }
    };
    double flops = 2.0 * m * n * k;
    Pool* p = pool();
    int parts = std::min(n, threadCount() * 4);
    if (!p || flops < 4e6 || parts < 2) {
        columns(0, n);
        return;
    }
    p->run(parts, [&](int part) {
        int j0 = (int)((long long)n * part / parts), j1 = (int)((long long)n * (part + 1) / parts);
        columns(j0, j1);
    });
}

cublasStatus_t validate(const char* call, void* handle, int transa, int transb, int m, int n, int k, long long lda,
                        long long ldb, long long ldc) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (transa < 0 || transa > 2 || transb < 0 || transb > 2 || m < 0 || n < 0 || k < 0) return CUBLAS_STATUS_INVALID_VALUE;
    long long rowsA = transa == 0 ? m : k, rowsB = transb == 0 ? k : n;
    if (lda < std::max(1LL, rowsA) || ldb < std::max(1LL, rowsB) || ldc < std::max(1LL, (long long)m)) {
        note("%s: leading dimensions lda %lld, ldb %lld, ldc %lld are too small for m %d, n %d, k %d (trans %d, %d)", call, lda, ldb,
             ldc, m, n, k, transa, transb);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t run(const char* call, void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                   const void* A, Element aType, long long lda, long long strideA, const void* B, Element bType,
                   long long ldb, long long strideB, const float* beta, float* C, long long ldc, long long strideC,
                   int batches, Rounding rounding) {
    if (cublasStatus_t s = validate(call, handle, transa, transb, m, n, k, lda, ldb, ldc)) return s;
    if (batches < 0) return CUBLAS_STATUS_INVALID_VALUE;
    if (!alpha || !beta) return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0 || batches == 0) return CUBLAS_STATUS_SUCCESS;
    float a = *alpha, b = *beta;
    bool readsAB = k > 0 && a != 0.0f;
    size_t aBytes = aType == F32 ? 4 : 2, bBytes = bType == F32 ? 4 : 2;
    bool ok = inside(call, "C", C, m, n, ldc, batches, strideC, 4);
    if (readsAB) {
        ok = inside(call, "A", A, transa == 0 ? m : k, transa == 0 ? k : m, lda, batches, strideA, aBytes) && ok;
        ok = inside(call, "B", B, transb == 0 ? k : n, transb == 0 ? n : k, ldb, batches, strideB, bBytes) && ok;
    }
    if (!ok) return CUBLAS_STATUS_EXECUTION_FAILED;
    std::vector<float> packedA, packedB;
    for (int i = 0; i < batches; ++i) {
        gemm(transa != 0, transb != 0, m, n, k, a, (const char*)A + i * strideA * (long long)aBytes, aType, lda,
             (const char*)B + i * strideB * (long long)bBytes, bType, ldb, b, C + i * strideC, ldc, rounding, packedA, packedB);
    }
    return CUBLAS_STATUS_SUCCESS;
}

Rounding floatRounding(void* handle) {
    std::lock_guard<std::mutex> lock(gMutex);
    return (((Handle*)handle)->mathMode & 0xf) == 3 ? ToTF32 : Exact;  // CUBLAS_TF32_TENSOR_OP_MATH
}

}  // namespace

EXPORT cublasStatus_t cublasCreate_v2(void** handle) {
    if (!handle) return CUBLAS_STATUS_INVALID_VALUE;
    Handle* h = new Handle();
    std::lock_guard<std::mutex> lock(gMutex);
    gHandles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasDestroy_v2(void* handle) {
    std::lock_guard<std::mutex> lock(gMutex);
    if (!gHandles.erase((Handle*)handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete (Handle*)handle;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSetStream_v2(void* handle, void* stream) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    std::lock_guard<std::mutex> lock(gMutex);
    ((Handle*)handle)->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetStream_v2(void* handle, void** stream) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!stream) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gMutex);
    *stream = ((Handle*)handle)->stream;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSetMathMode(void* handle, int mode) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = mode & ~16;  // CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION
    if (base < 0 || base > 3) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gMutex);
    ((Handle*)handle)->mathMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetMathMode(void* handle, int* mode) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!mode) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gMutex);
    *mode = ((Handle*)handle)->mathMode;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasSetPointerMode_v2(void* handle, int mode) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode != 0 && mode != 1) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gMutex);
    ((Handle*)handle)->pointerMode = mode;  // device pointers are host pointers here: both modes read *alpha
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetPointerMode_v2(void* handle, int* mode) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!mode) return CUBLAS_STATUS_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gMutex);
    *mode = ((Handle*)handle)->pointerMode;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT cublasStatus_t cublasGetProperty(int type, int* value) {
    if (!value) return CUBLAS_STATUS_INVALID_VALUE;
    switch (type) {
    case 0: *value = kVersionMajor; return CUBLAS_STATUS_SUCCESS;  // MAJOR_VERSION
    case 1: *value = kVersionMinor; return CUBLAS_STATUS_SUCCESS;  // MINOR_VERSION
    case 2: *value = kVersionPatch; return CUBLAS_STATUS_SUCCESS;  // PATCH_LEVEL
    default: return CUBLAS_STATUS_INVALID_VALUE;
    }
}

EXPORT cublasStatus_t cublasGetVersion_v2(void* handle, int* version) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!version) return CUBLAS_STATUS_INVALID_VALUE;
    *version = kVersionMajor * 10000 + kVersionMinor * 100 + kVersionPatch;
    return CUBLAS_STATUS_SUCCESS;
}

EXPORT const char* cublasGetStatusName(cublasStatus_t status) {
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "<unrecognized>";
    }
}

EXPORT const char* cublasGetStatusString(cublasStatus_t status) {
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "the operation completed successfully";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "an absent device architectural feature is required";
    case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    case CUBLAS_STATUS_LICENSE_ERROR: return "the functionality requested requires some license and an error was detected when trying to check the current licensing";
    default: return "<unrecognized>";
    }
}

EXPORT cublasStatus_t cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                                     const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    return run("cublasSgemm", handle, transa, transb, m, n, k, alpha, A, F32, lda, 0, B, F32, ldb, 0, beta, C, ldc, 0, 1,
               floatRounding(handle));
}

EXPORT cublasStatus_t cublasSgemmStridedBatched(void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                                                const float* A, int lda, long long strideA, const float* B, int ldb,
                                                long long strideB, const float* beta, float* C, int ldc, long long strideC,
                                                int batchCount) {
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    return run("cublasSgemmStridedBatched", handle, transa, transb, m, n, k, alpha, A, F32, lda, strideA, B, F32, ldb, strideB,
               beta, C, ldc, strideC, batchCount, floatRounding(handle));
}

EXPORT cublasStatus_t cublasGemmEx(void* handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* A,
                                   int Atype, int lda, const void* B, int Btype, int ldb, const void* beta, void* C, int Ctype,
                                   int ldc, int computeType, int algo) {
    (void)algo;
    if (!validHandle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    // CUDA_R_32F = 0, CUDA_R_16BF = 14; CUBLAS_COMPUTE_32F = 68, _PEDANTIC = 69, _FAST_16BF = 75, _FAST_TF32 = 77
    // (0, CUDA_R_32F, is the pre-11 spelling of a float compute type)
    bool floatCompute = computeType == 68 || computeType == 69 || computeType == 75 || computeType == 77 || computeType == 0;
    if (!floatCompute || Ctype != 0 || Atype != Btype || (Atype != 0 && Atype != 14)) {
        note("cublasGemmEx: A type %d, B type %d, C type %d, compute type %d are not emulated (float or bfloat16 operands, "
             "float output, float compute)", Atype, Btype, Ctype, computeType);
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }
    Element e = Atype == 14 ? BF16 : F32;
    Rounding rounding = Exact;
    if (e == F32) {
        if (computeType == 77) rounding = ToTF32;
        else if (computeType == 75) rounding = ToBF16;
        else if (computeType == 68 || computeType == 0) rounding = floatRounding(handle);
    }
    return run("cublasGemmEx", handle, transa, transb, m, n, k, (const float*)alpha, A, e, lda, 0, B, e, ldb, 0,
               (const float*)beta, (float*)C, ldc, 0, 1, rounding);
}
