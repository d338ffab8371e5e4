// libcublasLt.so.12 for machines without a GPU. The rlhf backend only opens it (before cuBLAS, as the real
// cuBLAS depends on it); these few functions make it a plausible stand-in for anything that probes it.
#include <stddef.h>

#define EXPORT extern "C" __attribute__((visibility("default")))

static int gHandle;

EXPORT int cublasLtCreate(void** handle) {
    if (!handle) return 7;  // CUBLAS_STATUS_INVALID_VALUE
    *handle = &gHandle;
    return 0;
}

EXPORT int cublasLtDestroy(void* handle) { return handle == &gHandle ? 0 : 1; }

EXPORT size_t cublasLtGetVersion() { return 120400; }

EXPORT int cublasLtGetProperty(int type, int* value) {
    if (!value) return 7;
    switch (type) {
    case 0: *value = 12; return 0;
    case 1: *value = 4; return 0;
    case 2: *value = 0; return 0;
    default: return 7;
    }
}
