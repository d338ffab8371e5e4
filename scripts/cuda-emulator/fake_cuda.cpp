// libcuda.so.1 for machines without a GPU: the CUDA driver API functions the rlhf CUDA backend calls,
// over host memory, with kernels run by the CPU versions compiled from the same CUDA C (cuda_emu.h,
// extract_kernels.py). See README.md for what it does and does not model.
//
// Execution model
//   - One synchronous "stream": every copy, memset and launch runs to completion inside the call.
//   - A launch runs its blocks on the calling thread plus a small pool of worker threads (blocks are
//     independent), each worker with its own runner: per-block lanes (CUDA threads), fibers, shared memory.
//   - Within a block the CUDA threads are cooperative fibers on one OS thread (hand-written context switch on
//     x86-64, ucontext elsewhere), run warp by warp. A fiber runs until it finishes or reaches a barrier or
//     warp collective; a warp's collective is resolved when all its member lanes have posted, a barrier when
//     every live thread of the block has arrived. Divergent collectives and deadlocks are launch failures.
//   - Device memory is mmap'd with PROT_NONE guard pages on both sides (end-aligned, so running off the end
//     faults at once) and filled with NaN bytes when allocated; a fault inside a kernel names the kernel, block
//     and thread. Pointer arguments are checked against the live allocations at launch.
#define RLHF_EMU_RUNTIME_ONLY
#include "cuda_emu.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#if !defined(__x86_64__) || defined(RLHF_EMU_UCONTEXT)
#include <ucontext.h>
#endif

#define EXPORT extern "C" __attribute__((visibility("default")))

using emu::uint3;

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_SOURCE = 300,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_TIMEOUT = 702,
    CUDA_ERROR_ASSERT = 710,
    CUDA_ERROR_ILLEGAL_INSTRUCTION = 715,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999,
};

namespace {

// ---- configuration -------------------------------------------------------------------------------------

const char* kDeviceName = "CPU emulator of CUDA (rlhf)";
constexpr size_t kTotalMemory = size_t(16) << 30;
constexpr int kMultiprocessors = 8;
constexpr int kMaxThreadsPerBlock = 1024;
constexpr unsigned kDefaultDynamicShared = 48 * 1024;
constexpr unsigned kMaxDynamicShared = 227 * 1024;  // sm_90 opt-in limit per block (232448 bytes)

int envInt(const char* name, int fallback) {
    const char* v = getenv(name);
    return v && *v ? atoi(v) : fallback;
}
bool verbose() {
    static int v = envInt("RLHF_CUDA_EMU_VERBOSE", 0);
    return v != 0;
}
bool reverseOrder() {
    static bool v = [] { const char* s = getenv("RLHF_CUDA_EMU_ORDER"); return s && std::string(s) == "reverse"; }();
    return v;
}
bool strictBarriers() {
    static int v = envInt("RLHF_CUDA_EMU_STRICT", 0);
    return v != 0;
}
bool guardPages() {
    static int v = envInt("RLHF_CUDA_EMU_GUARD", 1);
    return v != 0;
}
bool poison() {
    static int v = envInt("RLHF_CUDA_EMU_POISON", 1);
    return v != 0;
}

void note(const char* fmt, ...) {
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rlhf CUDA emulator: %s\n", text);
}

size_t pageSize() {
    static size_t p = (size_t)sysconf(_SC_PAGESIZE);
    return p;
}

// ---- memory ----------------------------------------------------------------------------------------------

struct Allocation {
    uintptr_t base;
    size_t bytes;
    char* mapping;  // null when from malloc (guards off)
    size_t mappingBytes;
    bool host;      // cuMemAllocHost
};

std::mutex gMemoryMutex;
std::map<uintptr_t, Allocation> gAllocations;  // by base
size_t gDeviceBytes = 0;

/// The allocation holding [p, p + bytes) (p == end allowed for bytes 0), or null.
const Allocation* findAllocation(uintptr_t p, size_t bytes) {
    auto it = gAllocations.upper_bound(p);
    if (it == gAllocations.begin()) return nullptr;
    --it;
    const Allocation& a = it->second;
    if (p < a.base || p > a.base + a.bytes) return nullptr;
    if (bytes > a.base + a.bytes - p) return nullptr;
    return &a;
}

std::string describeAddress(uintptr_t p) {
    char text[256];
    auto it = gAllocations.upper_bound(p);
    const Allocation* after = it == gAllocations.end() ? nullptr : &it->second;
    const Allocation* before = nullptr;
    if (it != gAllocations.begin()) before = &std::prev(it)->second;
    if (before && p >= before->base && p < before->base + before->bytes) {
        snprintf(text, sizeof text, "byte %zu of a %zu-byte %s allocation", (size_t)(p - before->base), before->bytes,
                 before->host ? "pinned host" : "device");
    } else if (before && p >= before->base + before->bytes && p - (before->base + before->bytes) < (1u << 20)) {
        snprintf(text, sizeof text, "%zu bytes past the end of a %zu-byte %s allocation at %p",
                 (size_t)(p - (before->base + before->bytes)), before->bytes, before->host ? "pinned host" : "device",
                 (void*)before->base);
    } else if (after && after->base > p && after->base - p < (1u << 20)) {
        snprintf(text, sizeof text, "%zu bytes before a %zu-byte %s allocation at %p", (size_t)(after->base - p),
                 after->bytes, after->host ? "pinned host" : "device", (void*)after->base);
    } else {
        snprintf(text, sizeof text, "not in or near any live allocation (freed, or never allocated)");
    }
    return text;
}

void* allocate(size_t bytes, bool host, CUresult* status) {
    size_t rounded = (std::max<size_t>(bytes, 1) + 255) & ~size_t(255);
    std::lock_guard<std::mutex> lock(gMemoryMutex);
    if (!host && gDeviceBytes + rounded > kTotalMemory) {
        *status = CUDA_ERROR_OUT_OF_MEMORY;
        return nullptr;
    }
    Allocation a{};
    a.bytes = bytes;
    a.host = host;
    if (guardPages()) {
        size_t page = pageSize();
        size_t data = (rounded + page - 1) & ~(page - 1);
        size_t total = data + 2 * page;
        void* m = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m != MAP_FAILED) {
            char* mapping = (char*)m;
            mprotect(mapping, page, PROT_NONE);
            mprotect(mapping + page + data, page, PROT_NONE);
            a.mapping = mapping;
            a.mappingBytes = total;
            a.base = (uintptr_t)(mapping + page + data - rounded);  // the end of the allocation meets the guard
        }
    }
    if (!a.mapping) {
        void* p = aligned_alloc(256, rounded);
        if (!p) {
            *status = CUDA_ERROR_OUT_OF_MEMORY;
            return nullptr;
        }
        a.base = (uintptr_t)p;
    }
    if (poison()) memset((void*)a.base, 0xff, rounded);  // NaN floats, -1 ints: uninitialised reads show
    else memset((void*)(a.base + bytes), 0xff, rounded - bytes);  // the canary between the end and the guard
    gAllocations[a.base] = a;
    if (!host) gDeviceBytes += rounded;
    *status = CUDA_SUCCESS;
    return (void*)a.base;
}

CUresult release(uintptr_t p, bool host) {
    std::lock_guard<std::mutex> lock(gMemoryMutex);
    auto it = gAllocations.find(p);
    if (it == gAllocations.end() || it->second.host != host) return CUDA_ERROR_INVALID_VALUE;
    Allocation a = it->second;
    gAllocations.erase(it);
    if (!host) gDeviceBytes -= (std::max<size_t>(a.bytes, 1) + 255) & ~size_t(255);
    if (a.mapping) munmap(a.mapping, a.mappingBytes);
    else free((void*)a.base);
    return CUDA_SUCCESS;
}

/// Bytes between an allocation's end and its 256-byte rounding (the guard page, when there is one, begins right
/// after them): filled with 0xff when allocated and checked after every launch that was given a pointer into the
/// allocation, so a kernel writing a little past the end is caught even where no page boundary is crossed.
size_t slackBytes(const Allocation& a) { return ((std::max<size_t>(a.bytes, 1) + 255) & ~size_t(255)) - a.bytes; }

/// The offset past the end of the first overwritten canary byte, or -1.
long canaryDamage(const Allocation& a) {
    const unsigned char* p = (const unsigned char*)(a.base + a.bytes);
    size_t n = slackBytes(a);
    for (size_t i = 0; i < n; ++i)
        if (p[i] != 0xff) return (long)i;
    return -1;
}

/// CUDA_SUCCESS when [p, p + bytes) lies inside one live allocation; else a message and INVALID_VALUE.
CUresult checkRange(const char* call, const char* what, uintptr_t p, size_t bytes) {
    std::lock_guard<std::mutex> lock(gMemoryMutex);
    if (findAllocation(p, bytes)) return CUDA_SUCCESS;
    note("%s: %s [%p, +%zu bytes) is not inside one allocation (%p is %s)", call, what, (void*)p, bytes, (void*)p,
         describeAddress(p).c_str());
    return CUDA_ERROR_INVALID_VALUE;
}

// ---- handles ---------------------------------------------------------------------------------------------

struct Context { int device; };
struct Stream { unsigned flags; };
struct Event { unsigned flags; bool recorded; std::chrono::steady_clock::time_point when; };
struct Function;
struct PTXEntry {
    std::string name;
    std::vector<std::pair<char, int>> params;  // kind ('f' float, 'i' integer or pointer, 'o' bytes), bytes
    int maxThreads = 0;                          // .maxntid x * y * z, 0 when none
};
struct Module { std::map<std::string, std::unique_ptr<Function>> functions; std::map<std::string, PTXEntry> entries; };
struct Function {
    const emu::KernelDef* def;
    std::string name;
    int maxThreads;            // .maxntid (launch bounds), 0 when none
    unsigned maxDynamicShared; // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
};

std::mutex gHandleMutex;
bool gInitialized = false;
Context gPrimaryContext{0};
int gPrimaryRetains = 0;
std::set<Stream*> gStreams;
std::set<Event*> gEvents;
std::set<Module*> gModules;
std::set<Function*> gFunctions;
thread_local Context* tlCurrentContext = nullptr;
std::atomic<int> gStickyError{0};  // an execution failure poisons the context, as on a GPU

std::unordered_map<std::string, const emu::KernelDef*>& kernelTable() {
    static std::unordered_map<std::string, const emu::KernelDef*> table;
    return table;
}

const char* errorString(int code) {
    switch (code) {
    case CUDA_SUCCESS: return "no error";
    case CUDA_ERROR_INVALID_VALUE: return "invalid argument";
    case CUDA_ERROR_OUT_OF_MEMORY: return "out of memory";
    case CUDA_ERROR_NOT_INITIALIZED: return "initialization error";
    case CUDA_ERROR_DEINITIALIZED: return "driver shutting down";
    case CUDA_ERROR_NO_DEVICE: return "no CUDA-capable device is detected";
    case CUDA_ERROR_INVALID_DEVICE: return "invalid device ordinal";
    case CUDA_ERROR_INVALID_IMAGE: return "device kernel image is invalid";
    case CUDA_ERROR_INVALID_CONTEXT: return "invalid device context";
    case CUDA_ERROR_NO_BINARY_FOR_GPU: return "no kernel image is available for execution on the device";
    case CUDA_ERROR_INVALID_PTX: return "a PTX JIT compilation failed";
    case CUDA_ERROR_INVALID_SOURCE: return "device kernel image is invalid";
    case CUDA_ERROR_INVALID_HANDLE: return "invalid resource handle";
    case CUDA_ERROR_NOT_FOUND: return "named symbol not found";
    case CUDA_ERROR_NOT_READY: return "device not ready";
    case CUDA_ERROR_ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "too many resources requested for launch";
    case CUDA_ERROR_LAUNCH_TIMEOUT: return "the launch timed out and was terminated";
    case CUDA_ERROR_ASSERT: return "device-side assert triggered";
    case CUDA_ERROR_ILLEGAL_INSTRUCTION: return "an illegal instruction was encountered";
    case CUDA_ERROR_LAUNCH_FAILED: return "unspecified launch failure";
    case CUDA_ERROR_NOT_SUPPORTED: return "operation not supported";
    case CUDA_ERROR_UNKNOWN: return "unknown error";
    default: return nullptr;
    }
}
const char* errorName(int code) {
    switch (code) {
    case CUDA_SUCCESS: return "CUDA_SUCCESS";
    case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case CUDA_ERROR_DEINITIALIZED: return "CUDA_ERROR_DEINITIALIZED";
    case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case CUDA_ERROR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
    case CUDA_ERROR_NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
    case CUDA_ERROR_INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
    case CUDA_ERROR_INVALID_SOURCE: return "CUDA_ERROR_INVALID_SOURCE";
    case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
    case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    case CUDA_ERROR_NOT_READY: return "CUDA_ERROR_NOT_READY";
    case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case CUDA_ERROR_LAUNCH_TIMEOUT: return "CUDA_ERROR_LAUNCH_TIMEOUT";
    case CUDA_ERROR_ASSERT: return "CUDA_ERROR_ASSERT";
    case CUDA_ERROR_ILLEGAL_INSTRUCTION: return "CUDA_ERROR_ILLEGAL_INSTRUCTION";
    case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
    case CUDA_ERROR_NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
    case CUDA_ERROR_UNKNOWN: return "CUDA_ERROR_UNKNOWN";
    default: return nullptr;
    }
}

/// The common preamble of calls that need an initialised driver, a current context and a healthy device.
/// The current context is per host thread, as in the driver: a thread that never called cuCtxSetCurrent
/// gets CUDA_ERROR_INVALID_CONTEXT (noted once per thread, as it is always a bug of the caller).
CUresult ready(const char* call = __builtin_FUNCTION()) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!tlCurrentContext) {
        static thread_local bool noted = false;
        if (!noted) {
            noted = true;
            note("%s on a thread with no current context (the driver's current context is per thread: call "
                 "cuCtxSetCurrent on this thread first)", call);
        }
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    int sticky = gStickyError.load();
    return sticky ? sticky : CUDA_SUCCESS;
}

bool validStream(void* s) {
    if (s == nullptr || s == (void*)1 || s == (void*)2) return true;  // NULL, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD
    std::lock_guard<std::mutex> lock(gHandleMutex);
    return gStreams.count((Stream*)s) != 0;
}

// ---- fibers --------------------------------------------------------------------------------------------------

#if defined(__x86_64__) && !defined(RLHF_EMU_UCONTEXT)
extern "C" __attribute__((visibility("hidden"))) void rlhf_emu_switch(void** save, void* to);
extern "C" __attribute__((visibility("hidden"))) void rlhf_emu_trampoline();
asm(R"(
    .text
    .p2align 4
    .hidden rlhf_emu_switch
    .type rlhf_emu_switch,@function
rlhf_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size rlhf_emu_switch, .-rlhf_emu_switch

    .p2align 4
    .hidden rlhf_emu_trampoline
    .type rlhf_emu_trampoline,@function
rlhf_emu_trampoline:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size rlhf_emu_trampoline, .-rlhf_emu_trampoline
)");

struct MachineContext { void* sp = nullptr; };

void contextInit(MachineContext& c, char* top, void (*entry)(void*), void* arg) {
    uintptr_t x = ((uintptr_t)top) & ~uintptr_t(15);
    void** s = (void**)x;
    s[-1] = (void*)&rlhf_emu_trampoline;  // ret target
    s[-2] = nullptr;                      // rbp
    s[-3] = nullptr;                      // rbx
    s[-4] = arg;                          // r12
    s[-5] = (void*)entry;                 // r13
    s[-6] = nullptr;                      // r14
    s[-7] = nullptr;                      // r15
    c.sp = &s[-7];
}
inline void contextSwitch(MachineContext& from, MachineContext& to) { rlhf_emu_switch(&from.sp, to.sp); }
#else
struct MachineContext { ucontext_t uc; };
void (*gEntryForUcontext)(void*) = nullptr;
void ucontextEntry(unsigned hi, unsigned lo) {
    void* arg = (void*)(((uintptr_t)hi << 32) | (uintptr_t)lo);
    gEntryForUcontext(arg);
}
void contextInit(MachineContext& c, char* top, void (*entry)(void*), void* arg, char* low) {
    getcontext(&c.uc);
    c.uc.uc_stack.ss_sp = low;
    c.uc.uc_stack.ss_size = (size_t)(top - low);
    c.uc.uc_link = nullptr;
    gEntryForUcontext = entry;
    uintptr_t a = (uintptr_t)arg;
    makecontext(&c.uc, (void (*)())ucontextEntry, 2, (unsigned)(a >> 32), (unsigned)(a & 0xffffffffu));
}
inline void contextSwitch(MachineContext& from, MachineContext& to) { swapcontext(&from.uc, &to.uc); }
#endif

struct Runner;

struct Fiber {
    MachineContext context;
    char* low;                  // lowest address of the stack region (its guard page)
    emu::FiberHeader* header;
    Runner* runner;
    int index;
};

struct Job;

/// Everything one OS thread needs to run blocks: the block's lanes, fibers with their stacks (created on
/// demand, kept for the process's life), the dynamic shared memory buffer.
struct Runner : emu::RunnerView {
    emu::Lane lanes[kMaxThreadsPerBlock];
    std::vector<Fiber*> fibers;
    std::vector<int> freeFibers;
    char* stackRegion = nullptr;  // kMaxThreadsPerBlock stacks, aligned to their size
    MachineContext scheduler;
    const emu::KernelDef* kernel = nullptr;
    void* bound = nullptr;
    unsigned threads = 0;
    int current = -1;             // the lane running now
    bool active = false;          // inside a launch (for the fault handler)
    int failure = CUDA_SUCCESS;
    std::string message;
    std::vector<char> sharedStorage;
    uint3 preparedBlock{0, 0, 0};

    Runner() {
        sharedStorage.resize(kMaxDynamicShared + 256);
        dynamicShared = (char*)(((uintptr_t)sharedStorage.data() + 127) & ~uintptr_t(127));
        size_t bytes = emu::kFiberStackBytes * (kMaxThreadsPerBlock + 1);
        void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) {
            note("cannot reserve %zu MiB for fiber stacks", bytes >> 20);
            abort();
        }
        stackRegion = (char*)(((uintptr_t)m + emu::kFiberStackBytes - 1) & ~(uintptr_t)(emu::kFiberStackBytes - 1));
        fibers.reserve(kMaxThreadsPerBlock);
    }

    static void fiberMain(void* arg);

    void initFiber(Fiber* f) {
        char* top = f->low + emu::kFiberHeaderOffset - 64;
#if defined(__x86_64__) && !defined(RLHF_EMU_UCONTEXT)
        contextInit(f->context, top, &Runner::fiberMain, f);
#else
        contextInit(f->context, top, &Runner::fiberMain, f, f->low + pageSize());
#endif
    }

    int acquireFiber() {
        if (!freeFibers.empty()) {
            int f = freeFibers.back();
            freeFibers.pop_back();
            return f;
        }
        Fiber* f = new Fiber();
        f->index = (int)fibers.size();
        f->low = stackRegion + (size_t)f->index * emu::kFiberStackBytes;
        mprotect(f->low, pageSize(), PROT_NONE);  // overflow faults instead of running into the next stack
        f->header = (emu::FiberHeader*)(f->low + emu::kFiberHeaderOffset);
        f->header->view = this;
        f->header->lane = nullptr;
        f->runner = this;
        initFiber(f);
        fibers.push_back(f);
        return f->index;
    }

    /// Sets up the lanes for a block shape.
    void prepare(const emu::KernelDef* def, void* b, uint3 grid, uint3 block, unsigned sharedBytes) {
        kernel = def;
        bound = b;
        gridDim = grid;
        if (block.x != preparedBlock.x || block.y != preparedBlock.y || block.z != preparedBlock.z) {
            threads = block.x * block.y * block.z;
            for (unsigned i = 0; i < threads; ++i) {
                emu::Lane& l = lanes[i];
                l.tid = {i % block.x, (i / block.x) % block.y, i / (block.x * block.y)};
                l.linear = i;
                l.fiber = -1;
            }
            preparedBlock = block;
        }
        blockDim = block;
        if (poison() && sharedBytes) memset(dynamicShared, 0xff, sharedBytes);
    }

    std::string where(int lane) const {
        char text[256];
        if (lane >= 0) {
            const emu::Lane& l = lanes[lane];
            snprintf(text, sizeof text, "kernel %s, block (%u,%u,%u), thread (%u,%u,%u)", kernel ? kernel->name : "?",
                     blockIdx.x, blockIdx.y, blockIdx.z, l.tid.x, l.tid.y, l.tid.z);
        } else {
            snprintf(text, sizeof text, "kernel %s, block (%u,%u,%u)", kernel ? kernel->name : "?", blockIdx.x,
                     blockIdx.y, blockIdx.z);
        }
        return text;
    }

    void fail(int code, const std::string& why) {
        if (failure == CUDA_SUCCESS) {
            failure = code;
            message = why;
        }
    }

    void resume(int laneIndex) {
        emu::Lane& l = lanes[laneIndex];
        if (l.fiber < 0) {
            l.fiber = (int16_t)acquireFiber();
            fibers[l.fiber]->header->lane = &l;
        }
        l.state = emu::LaneReady;
        current = laneIndex;
        contextSwitch(scheduler, fibers[l.fiber]->context);
        current = -1;
        if (l.state == emu::LaneDone) {
            freeFibers.push_back(l.fiber);
            l.fiber = -1;
        }
    }

    /// Runs the lanes of warp w until each has finished or waits at the block barrier. False on failure.
    bool runWarp(unsigned w) {
        unsigned lo = w * 32, hi = std::min(threads, lo + 32), count = hi - lo;
        uint32_t existing = count == 32 ? 0xffffffffu : ((1u << count) - 1u);
        bool reverse = reverseOrder();
        for (;;) {
            for (unsigned k = 0; k < count; ++k) {
                unsigned i = lo + (reverse ? count - 1 - k : k);
                uint8_t s = lanes[i].state;
                if (s != emu::LaneNotStarted && s != emu::LaneReady) continue;
                resume((int)i);
                if (lanes[i].state == emu::LaneFailed) return false;
            }
            uint32_t waiting = 0;
            for (unsigned k = 0; k < count; ++k)
                if (lanes[lo + k].state == emu::LaneAtCollective) waiting |= 1u << k;
            if (!waiting) return true;
            while (waiting) {
                int first = __builtin_ctz(waiting);
                const emu::Lane& leader = lanes[lo + first];
                uint32_t members = leader.mask & existing;
                if (!(members >> first & 1u)) {
                    fail(CUDA_ERROR_ILLEGAL_INSTRUCTION,
                         where((int)(lo + first)) + ": a warp collective whose mask " + hex(leader.mask) + " leaves out the calling lane");
                    return false;
                }
                for (uint32_t m = members; m; m &= m - 1) {
                    int k = __builtin_ctz(m);
                    const emu::Lane& l = lanes[lo + k];
                    if (l.state != emu::LaneAtCollective) {
                        fail(CUDA_ERROR_ILLEGAL_INSTRUCTION,
                             where((int)(lo + first)) + ": warp collective (" + opName(leader.op) + ", mask " + hex(leader.mask) +
                                 ") that lane " + std::to_string(k) + " never reaches (it " +
                                 (l.state == emu::LaneDone ? "has exited" : "waits at __syncthreads") + ")");
                        return false;
                    }
                    if (l.mask != leader.mask || l.op != leader.op) {
                        fail(CUDA_ERROR_ILLEGAL_INSTRUCTION,
                             where((int)(lo + first)) + ": divergent warp collectives: lane " + std::to_string(first) + " at " +
                                 opName(leader.op) + " mask " + hex(leader.mask) + ", lane " + std::to_string(k) + " at " +
                                 opName(l.op) + " mask " + hex(l.mask));
                        return false;
                    }
                }
                uint64_t results[32];
                if (leader.op == emu::OpShuffle) {
                    for (uint32_t m = members; m; m &= m - 1) {
                        int k = __builtin_ctz(m);
                        const emu::Lane& l = lanes[lo + k];
                        int source = l.source;
                        results[k] = source >= 0 && (members >> source & 1u) ? lanes[lo + source].value : l.value;
                    }
                } else {
                    uint64_t votes = 0;
                    for (uint32_t m = members; m; m &= m - 1) {
                        int k = __builtin_ctz(m);
                        if (lanes[lo + k].value) votes |= 1ull << k;
                    }
                    for (uint32_t m = members; m; m &= m - 1) results[__builtin_ctz(m)] = leader.op == emu::OpBallot ? votes : 0;
                }
                for (uint32_t m = members; m; m &= m - 1) {
                    int k = __builtin_ctz(m);
                    lanes[lo + k].value = results[k];
                    lanes[lo + k].state = emu::LaneReady;
                }
                waiting &= ~members;
            }
        }
    }

    /// Runs one block to completion. False on failure (then `failure` and `message` say why).
    bool runBlock(uint3 b) {
        blockIdx = b;
        for (unsigned i = 0; i < threads; ++i) lanes[i].state = emu::LaneNotStarted;
        unsigned warps = (threads + 31) / 32;
        bool reverse = reverseOrder();
        for (;;) {
            for (unsigned k = 0; k < warps; ++k) {
                if (!runWarp(reverse ? warps - 1 - k : k)) {
                    abandon();
                    return false;
                }
            }
            bool barrier = false;
            unsigned exited = 0;
            for (unsigned i = 0; i < threads; ++i) {
                if (lanes[i].state == emu::LaneAtBarrier) {
                    lanes[i].state = emu::LaneReady;
                    barrier = true;
                } else if (lanes[i].state == emu::LaneDone) {
                    ++exited;
                }
            }
            if (!barrier) return true;
            // Exited threads count as arrived (what the hardware does); the programming guide calls a
            // __syncthreads that only some threads reach undefined, and RLHF_CUDA_EMU_STRICT=1 says so.
            if (exited && strictBarriers()) {
                fail(CUDA_ERROR_ILLEGAL_INSTRUCTION, where(-1) + ": __syncthreads reached while " + std::to_string(exited) + " of " +
                     std::to_string(threads) + " threads have exited (RLHF_CUDA_EMU_STRICT)");
                abandon();
                return false;
            }
        }
    }

    /// After a failed block: every fiber still holding a lane starts afresh next time.
    void abandon() {
        for (unsigned i = 0; i < threads; ++i) {
            emu::Lane& l = lanes[i];
            if (l.fiber >= 0) {
                initFiber(fibers[l.fiber]);
                freeFibers.push_back(l.fiber);
                l.fiber = -1;
            }
        }
    }

    static std::string hex(uint32_t v) {
        char text[16];
        snprintf(text, sizeof text, "0x%08x", v);
        return text;
    }
    static const char* opName(uint8_t op) {
        return op == emu::OpShuffle ? "__shfl_sync" : op == emu::OpBallot ? "__ballot_sync" : "__syncwarp";
    }
};

void Runner::fiberMain(void* arg) {
    Fiber* f = (Fiber*)arg;
    Runner* r = f->runner;
    for (;;) {
        r->kernel->call(r->bound);
        f->header->lane->state = emu::LaneDone;
        contextSwitch(f->context, r->scheduler);
    }
}

thread_local Runner* tlRunner = nullptr;
thread_local const char* tlCall = nullptr;  // the API call running on this thread (for the fault handler)

void ensureAltStack();

Runner& runner() {
    if (!tlRunner) {
        tlRunner = new Runner();
        ensureAltStack();
    }
    return *tlRunner;
}

// ---- launches over a pool of workers ----------------------------------------------------------------------

struct Job {
    const emu::KernelDef* def;
    void* bound;
    uint3 grid, block;
    unsigned sharedBytes;
    uint64_t blocks;
    std::atomic<uint64_t> next{0};
    std::atomic<int> failure{0};
    std::mutex messageMutex;
    std::string message;
};

void runJob(Runner& r, Job& job) {
    r.prepare(job.def, job.bound, job.grid, job.block, job.sharedBytes);
    r.active = true;
    uint64_t gx = job.grid.x, gxy = (uint64_t)job.grid.x * job.grid.y;
    for (;;) {
        if (job.failure.load(std::memory_order_relaxed)) break;
        uint64_t b = job.next.fetch_add(1, std::memory_order_relaxed);
        if (b >= job.blocks) break;
        uint3 at{(unsigned)(b % gx), (unsigned)((b / gx) % job.grid.y), (unsigned)(b / gxy)};
        r.failure = CUDA_SUCCESS;
        if (!r.runBlock(at)) {
            std::lock_guard<std::mutex> lock(job.messageMutex);
            if (!job.failure.load()) {
                job.message = r.message;
                job.failure.store(r.failure);
            }
            break;
        }
    }
    r.active = false;
}

/// Workers wake for each parallel launch and take blocks until none are left. The caller runs blocks too and
/// then waits only for workers that joined (are running a block): a worker that wakes late (the CPUs busy
/// elsewhere) finds the launch closed and goes back to sleep, so it never delays the launch.
struct Pool {
    std::mutex mutex;
    std::condition_variable wake, finished;
    Job* job = nullptr;     // the open launch, null once the caller has closed it
    int joined = 0;         // workers inside runJob for `job`
    uint64_t generation = 0;
    std::vector<std::thread> workers;

    explicit Pool(int count) {
        for (int i = 0; i < count; ++i) workers.emplace_back([this] { loop(); });
    }

    void loop() {
        uint64_t seen = 0;
        Runner& r = runner();
        for (;;) {
            Job* j;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait(lock, [&] { return generation != seen; });
                seen = generation;
                j = job;
                if (!j) continue;
                ++joined;
            }
            tlCall = "cuLaunchKernel";
            runJob(r, *j);
            tlCall = nullptr;
            std::lock_guard<std::mutex> lock(mutex);
            if (--joined == 0) finished.notify_all();
        }
    }

    void run(Job& j, Runner& caller) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            job = &j;
            ++generation;
        }
        wake.notify_all();
        runJob(caller, j);
        std::unique_lock<std::mutex> lock(mutex);
        job = nullptr;
        finished.wait(lock, [&] { return joined == 0; });
    }
};

int workerCount() {
    static int n = [] {
        int hardware = (int)std::thread::hardware_concurrency();
        int v = envInt("RLHF_CUDA_EMU_THREADS", std::min(std::max(hardware, 1), 8));
        return std::max(1, std::min(v, 64));
    }();
    return n;
}

Pool* pool() {
    static Pool* p = workerCount() > 1 ? new Pool(workerCount() - 1) : nullptr;  // never destroyed: workers idle at exit
    return p;
}

std::mutex gLaunchMutex;
bool gForkedChild = false;  // a fork has none of the pool's threads: launches run on the calling thread only

// ---- statistics (RLHF_CUDA_EMU_VERBOSE=1 prints them at exit) ---------------------------------------------

struct KernelStats { uint64_t launches = 0, threads = 0; double seconds = 0; };
std::atomic<uint64_t> gContendedLaunches{0};  // launches that waited for another host thread's launch
std::set<std::thread::id> gLaunchingThreads;
std::mutex gStatsMutex;
std::map<std::string, KernelStats> gStats;

void recordLaunch(const emu::KernelDef* def, std::chrono::steady_clock::time_point started, uint64_t threads) {
    if (!verbose()) return;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::lock_guard<std::mutex> lock(gStatsMutex);
    gLaunchingThreads.insert(std::this_thread::get_id());
    KernelStats& s = gStats[def->name];
    s.launches += 1;
    s.threads += threads;
    s.seconds += seconds;
}

void printStats() {
    std::lock_guard<std::mutex> lock(gStatsMutex);
    std::vector<std::pair<std::string, KernelStats>> rows(gStats.begin(), gStats.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.seconds > b.second.seconds; });
    double total = 0;
    uint64_t launches = 0;
    for (auto& r : rows) { total += r.second.seconds; launches += r.second.launches; }
    note("%llu launches from %zu host thread%s (%llu waited for another thread's launch), %.2f s in kernels",
         (unsigned long long)launches, gLaunchingThreads.size(), gLaunchingThreads.size() == 1 ? "" : "s",
         (unsigned long long)gContendedLaunches.load(), total);
    for (auto& r : rows)
        note("  %-36s %7llu launches %12llu threads %8.3f s", r.first.c_str(), (unsigned long long)r.second.launches,
             (unsigned long long)r.second.threads, r.second.seconds);
}

// ---- faults ------------------------------------------------------------------------------------------------

struct sigaction gPreviousSegv, gPreviousBus;

void onFault(int sig, siginfo_t* info, void* context) {
    (void)context;
    Runner* r = tlRunner;
    uintptr_t address = (uintptr_t)info->si_addr;
    if (r && r->active) {
        bool stack = r->stackRegion && address >= (uintptr_t)r->stackRegion &&
                     address < (uintptr_t)r->stackRegion + emu::kFiberStackBytes * kMaxThreadsPerBlock;
        note("%s: invalid memory access at %p (%s)", r->where(r->current).c_str(), (void*)address,
             stack ? "a fiber's stack overflowed: the kernel needs more stack than the emulator gives a thread"
                   : describeAddress(address).c_str());
    } else if (tlCall) {
        note("%s: invalid memory access at %p (%s)", tlCall, (void*)address, describeAddress(address).c_str());
    }
    // let the previous handler (or the default action) take it from here
    sigaction(sig, sig == SIGSEGV ? &gPreviousSegv : &gPreviousBus, nullptr);
}

void installFaultHandler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = onFault;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(SIGSEGV, &action, &gPreviousSegv);
        sigaction(SIGBUS, &action, &gPreviousBus);
    });
}

void ensureAltStack() {
    stack_t current;
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
    stack_t alt;
    alt.ss_size = 64 * 1024;
    alt.ss_sp = malloc(alt.ss_size);
    alt.ss_flags = 0;
    if (alt.ss_sp) sigaltstack(&alt, nullptr);
}

struct CallScope {
    const char* previous;
    explicit CallScope(const char* name) : previous(tlCall) { tlCall = name; }
    ~CallScope() { tlCall = previous; }
};

// ---- PTX ---------------------------------------------------------------------------------------------------

std::vector<PTXEntry> parsePTX(const std::string& ptx) {
    std::vector<PTXEntry> entries;
    size_t at = 0;
    while ((at = ptx.find(".entry", at)) != std::string::npos) {
        size_t p = at + 6;
        at = p;
        if (p >= ptx.size() || !isspace((unsigned char)ptx[p])) continue;
        while (p < ptx.size() && isspace((unsigned char)ptx[p])) ++p;
        size_t nameStart = p;
        while (p < ptx.size() && (isalnum((unsigned char)ptx[p]) || ptx[p] == '_' || ptx[p] == '$')) ++p;
        PTXEntry e;
        e.name = ptx.substr(nameStart, p - nameStart);
        while (p < ptx.size() && isspace((unsigned char)ptx[p])) ++p;
        if (p < ptx.size() && ptx[p] == '(') {
            size_t close = ptx.find(')', p);
            if (close == std::string::npos) break;
            std::string list = ptx.substr(p + 1, close - p - 1);
            size_t q = 0;
            while ((q = list.find(".param", q)) != std::string::npos) {
                size_t end = list.find(',', q);
                std::string decl = list.substr(q, end == std::string::npos ? std::string::npos : end - q);
                q += 6;
                char kind = 'o';
                int bits = 0;
                size_t t = 0;
                while ((t = decl.find(" .", t)) != std::string::npos) {
                    ++t;
                    char c = decl[t + 1];
                    int n = atoi(decl.c_str() + t + 2);
                    if ((c == 'u' || c == 's' || c == 'b' || c == 'f') && (n == 8 || n == 16 || n == 32 || n == 64) &&
                        isdigit((unsigned char)decl[t + 2])) {
                        kind = c == 'f' ? 'f' : 'i';
                        bits = n;
                    }
                }
                int bytes = bits / 8;
                size_t bracket = decl.find('[');
                if (bracket != std::string::npos) {  // .b8 name[N]: an aggregate passed by value
                    bytes = atoi(decl.c_str() + bracket + 1) * std::max(1, bits / 8);
                    kind = 'o';
                }
                e.params.push_back({kind, bytes});
            }
            p = close + 1;
        }
        size_t brace = ptx.find('{', p);
        size_t maxntid = ptx.find(".maxntid", p);
        if (maxntid != std::string::npos && (brace == std::string::npos || maxntid < brace)) {
            int x = 1, y = 1, z = 1;
            sscanf(ptx.c_str() + maxntid + 8, " %d , %d , %d", &x, &y, &z);
            e.maxThreads = x * std::max(y, 1) * std::max(z, 1);
        }
        entries.push_back(e);
    }
    return entries;
}

/// Empty when the emulator's compiled signature matches the PTX's parameter list.
std::string signatureMismatch(const emu::KernelDef& def, const PTXEntry& e) {
    auto describe = [](const std::vector<std::pair<char, int>>& params) {
        std::string s = "(";
        for (size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + std::string(1, params[i].first) + std::to_string(params[i].second * 8);
        return s + ")";
    };
    std::vector<std::pair<char, int>> compiled;
    for (int i = 0; i < def.parameterCount; ++i) {
        char k = def.parameterKinds[i];
        compiled.push_back({k == 'f' ? 'f' : k == 'o' ? 'o' : 'i', def.parameterSizes[i]});
    }
    bool same = compiled.size() == e.params.size();
    for (size_t i = 0; same && i < compiled.size(); ++i) {
        same = compiled[i].second == e.params[i].second &&
               (compiled[i].first == e.params[i].first || compiled[i].first == 'o' || e.params[i].first == 'o');
    }
    return same ? "" : std::string("the emulator's ") + def.name + " takes " + describe(compiled) + ", the PTX declares " + describe(e.params);
}

}  // namespace

// ---- what the kernels call -----------------------------------------------------------------------------------

namespace emu {

void registerKernels(const KernelDef* defs, int count) {
    for (int i = 0; i < count; ++i) kernelTable()[defs[i].name] = &defs[i];
}

void syncthreads() {
    FiberHeader* h = self();
    Runner* r = static_cast<Runner*>(h->view);
    h->lane->state = LaneAtBarrier;
    contextSwitch(r->fibers[h->lane->fiber]->context, r->scheduler);
}

uint64_t warpCollective(uint8_t op, uint32_t mask, uint64_t value, int32_t source) {
    FiberHeader* h = self();
    Runner* r = static_cast<Runner*>(h->view);
    Lane* lane = h->lane;
    lane->op = op;
    lane->mask = mask;
    lane->value = value;
    lane->source = source;
    lane->state = LaneAtCollective;
    contextSwitch(r->fibers[lane->fiber]->context, r->scheduler);
    return lane->value;
}

void trap(const char* why, const char* file, int line) {
    FiberHeader* h = self();
    Runner* r = static_cast<Runner*>(h->view);
    Lane* lane = h->lane;
    char text[512];
    snprintf(text, sizeof text, "%s (%s:%d)", why, file, line);
    r->fail(strncmp(why, "assertion", 9) == 0 ? CUDA_ERROR_ASSERT : CUDA_ERROR_LAUNCH_FAILED,
            r->where((int)lane->linear) + ": " + text);
    lane->state = LaneFailed;
    contextSwitch(r->fibers[lane->fiber]->context, r->scheduler);
    abort();  // never resumed
}

long long clockTicks() {
    return (long long)std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace emu

// ---- the driver API ------------------------------------------------------------------------------------------

EXPORT CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    installFaultHandler();
    static std::once_flag forkOnce;
    std::call_once(forkOnce, [] { pthread_atfork(nullptr, nullptr, [] { gForkedChild = true; }); });
    gInitialized = true;
    static std::once_flag once;
    std::call_once(once, [] {
        if (!verbose()) return;
        note("%zu kernels, %d threads, guard pages %s, poison %s, %s order", kernelTable().size(), workerCount(),
             guardPages() ? "on" : "off", poison() ? "on" : "off", reverseOrder() ? "reverse" : "ascending");
        atexit(printStats);
    });
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int* version) {
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = 12040;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int* count) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!name || length <= 0) return CUDA_ERROR_INVALID_VALUE;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    snprintf(name, (size_t)length, "%s", kDeviceName);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = kTotalMemory;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    int v;
    switch (attribute) {
    case 1: v = kMaxThreadsPerBlock; break;          // MAX_THREADS_PER_BLOCK
    case 2: v = 1024; break;                         // MAX_BLOCK_DIM_X
    case 3: v = 1024; break;                         // MAX_BLOCK_DIM_Y
    case 4: v = 64; break;                           // MAX_BLOCK_DIM_Z
    case 5: v = 2147483647; break;                   // MAX_GRID_DIM_X
    case 6: v = 65535; break;                        // MAX_GRID_DIM_Y
    case 7: v = 65535; break;                        // MAX_GRID_DIM_Z
    case 8: v = (int)kDefaultDynamicShared; break;   // MAX_SHARED_MEMORY_PER_BLOCK
    case 9: v = 65536; break;                        // TOTAL_CONSTANT_MEMORY
    case 10: v = 32; break;                          // WARP_SIZE
    case 11: v = 2147483647; break;                  // MAX_PITCH
    case 12: v = 65536; break;                       // MAX_REGISTERS_PER_BLOCK
    case 13: v = 1000000; break;                     // CLOCK_RATE (kHz)
    case 14: v = 512; break;                         // TEXTURE_ALIGNMENT
    case 15: v = 1; break;                           // GPU_OVERLAP
    case 16: v = kMultiprocessors; break;            // MULTIPROCESSOR_COUNT
    case 17: v = 0; break;                           // KERNEL_EXEC_TIMEOUT
    case 18: v = 0; break;                           // INTEGRATED
    case 19: v = 1; break;                           // CAN_MAP_HOST_MEMORY
    case 20: v = 0; break;                           // COMPUTE_MODE (default)
    case 31: v = 1; break;                           // CONCURRENT_KERNELS
    case 32: v = 0; break;                           // ECC_ENABLED
    case 33: case 34: case 50: v = 0; break;         // PCI bus, device, domain
    case 35: v = 0; break;                           // TCC_DRIVER
    case 36: v = 1000000; break;                     // MEMORY_CLOCK_RATE (kHz)
    case 37: v = 64; break;                          // GLOBAL_MEMORY_BUS_WIDTH (bits)
    case 38: v = 4 << 20; break;                     // L2_CACHE_SIZE
    case 39: v = 2048; break;                        // MAX_THREADS_PER_MULTIPROCESSOR
    case 40: v = 1; break;                           // ASYNC_ENGINE_COUNT
    case 41: v = 1; break;                           // UNIFIED_ADDRESSING
    case 75: v = 9; break;                           // COMPUTE_CAPABILITY_MAJOR
    case 76: v = 0; break;                           // COMPUTE_CAPABILITY_MINOR
    case 81: v = 228 * 1024; break;                  // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
    case 82: v = 65536; break;                       // MAX_REGISTERS_PER_MULTIPROCESSOR
    case 83: v = 0; break;                           // MANAGED_MEMORY
    case 84: v = 0; break;                           // MULTI_GPU_BOARD
    case 95: v = 0; break;                           // COOPERATIVE_LAUNCH
    case 97: v = (int)kMaxDynamicShared; break;      // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
    case 106: v = 32; break;                         // MAX_BLOCKS_PER_MULTIPROCESSOR
    default:
        note("cuDeviceGetAttribute: attribute %d is not emulated", attribute);
        return CUDA_ERROR_INVALID_VALUE;
    }
    *value = v;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice device) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!major || !minor) return CUDA_ERROR_INVALID_VALUE;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    *major = 9;
    *minor = 0;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(void** context, CUdevice device) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!context) return CUDA_ERROR_INVALID_VALUE;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    ++gPrimaryRetains;
    *context = &gPrimaryContext;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (gPrimaryRetains > 0) --gPrimaryRetains;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxSetCurrent(void* context) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (context && context != &gPrimaryContext) return CUDA_ERROR_INVALID_CONTEXT;
    tlCurrentContext = (Context*)context;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxGetCurrent(void** context) {
    if (!gInitialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!context) return CUDA_ERROR_INVALID_VALUE;
    *context = tlCurrentContext;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuCtxSynchronize() { return ready(); }

EXPORT CUresult cuStreamCreate(void** stream, unsigned flags) {
    if (CUresult r = ready()) return r;
    if (!stream || flags > 1) return CUDA_ERROR_INVALID_VALUE;
    Stream* s = new Stream{flags};
    std::lock_guard<std::mutex> lock(gHandleMutex);
    gStreams.insert(s);
    *stream = s;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(void* stream) {
    if (CUresult r = ready()) return r;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gStreams.erase((Stream*)stream)) return CUDA_ERROR_INVALID_HANDLE;
    delete (Stream*)stream;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(void* stream) {
    if (CUresult r = ready()) return r;
    return validStream(stream) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

EXPORT CUresult cuStreamQuery(void* stream) { return cuStreamSynchronize(stream); }

EXPORT CUresult cuEventCreate(void** event, unsigned flags) {
    if (CUresult r = ready()) return r;
    if (!event || (flags & ~7u)) return CUDA_ERROR_INVALID_VALUE;
    Event* e = new Event{flags, false, {}};
    std::lock_guard<std::mutex> lock(gHandleMutex);
    gEvents.insert(e);
    *event = e;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventDestroy_v2(void* event) {
    if (CUresult r = ready()) return r;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gEvents.erase((Event*)event)) return CUDA_ERROR_INVALID_HANDLE;
    delete (Event*)event;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventRecord(void* event, void* stream) {
    if (CUresult r = ready()) return r;
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gEvents.count((Event*)event)) return CUDA_ERROR_INVALID_HANDLE;
    Event* e = (Event*)event;
    e->recorded = true;
    e->when = std::chrono::steady_clock::now();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuEventSynchronize(void* event) {
    if (CUresult r = ready()) return r;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    return gEvents.count((Event*)event) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

EXPORT CUresult cuEventQuery(void* event) { return cuEventSynchronize(event); }

EXPORT CUresult cuEventElapsedTime(float* milliseconds, void* start, void* end) {
    if (CUresult r = ready()) return r;
    if (!milliseconds) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gEvents.count((Event*)start) || !gEvents.count((Event*)end)) return CUDA_ERROR_INVALID_HANDLE;
    Event* a = (Event*)start;
    Event* b = (Event*)end;
    if ((a->flags & 2) || (b->flags & 2)) return CUDA_ERROR_INVALID_HANDLE;  // CU_EVENT_DISABLE_TIMING
    if (!a->recorded || !b->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *milliseconds = std::chrono::duration<float, std::milli>(b->when - a->when).count();
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    if (CUresult r = ready()) return r;
    if (!pointer || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    CUresult status;
    void* p = allocate(bytes, false, &status);
    if (status) return status;
    *pointer = (CUdeviceptr)(uintptr_t)p;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
    if (CUresult r = ready()) return r;
    if (pointer == 0) return CUDA_SUCCESS;
    CUresult r = release((uintptr_t)pointer, false);
    if (r) note("cuMemFree: %p is not a live device allocation (%s)", (void*)(uintptr_t)pointer, describeAddress((uintptr_t)pointer).c_str());
    return r;
}

EXPORT CUresult cuMemAllocHost_v2(void** pointer, size_t bytes) {
    if (CUresult r = ready()) return r;
    if (!pointer || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    CUresult status;
    void* p = allocate(bytes, true, &status);
    if (status) return status;
    *pointer = p;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemFreeHost(void* pointer) {
    if (CUresult r = ready()) return r;
    CUresult r = release((uintptr_t)pointer, true);
    if (r) note("cuMemFreeHost: %p is not a live pinned allocation", pointer);
    return r;
}

EXPORT CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    if (CUresult r = ready()) return r;
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gMemoryMutex);
    *total = kTotalMemory;
    *free = kTotalMemory - gDeviceBytes;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void* source, size_t bytes, void* stream) {
    CallScope scope("cuMemcpyHtoDAsync");
    if (CUresult r = ready()) return r;
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (bytes == 0) return CUDA_SUCCESS;
    if (!source) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkRange("cuMemcpyHtoD", "the destination", (uintptr_t)destination, bytes)) return r;
    memmove((void*)(uintptr_t)destination, source, bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void* destination, CUdeviceptr source, size_t bytes, void* stream) {
    CallScope scope("cuMemcpyDtoHAsync");
    if (CUresult r = ready()) return r;
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (bytes == 0) return CUDA_SUCCESS;
    if (!destination) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkRange("cuMemcpyDtoH", "the source", (uintptr_t)source, bytes)) return r;
    memmove(destination, (const void*)(uintptr_t)source, bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr destination, CUdeviceptr source, size_t bytes, void* stream) {
    CallScope scope("cuMemcpyDtoDAsync");
    if (CUresult r = ready()) return r;
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (bytes == 0) return CUDA_SUCCESS;
    if (CUresult r = checkRange("cuMemcpyDtoD", "the destination", (uintptr_t)destination, bytes)) return r;
    if (CUresult r = checkRange("cuMemcpyDtoD", "the source", (uintptr_t)source, bytes)) return r;
    memmove((void*)(uintptr_t)destination, (const void*)(uintptr_t)source, bytes);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void* s, size_t n) { return cuMemcpyHtoDAsync_v2(d, s, n, nullptr); }
EXPORT CUresult cuMemcpyDtoH_v2(void* d, CUdeviceptr s, size_t n) { return cuMemcpyDtoHAsync_v2(d, s, n, nullptr); }
EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr d, CUdeviceptr s, size_t n) { return cuMemcpyDtoDAsync_v2(d, s, n, nullptr); }

EXPORT CUresult cuMemsetD32Async(CUdeviceptr destination, unsigned value, size_t count, void* stream) {
    CallScope scope("cuMemsetD32Async");
    if (CUresult r = ready()) return r;
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (count == 0) return CUDA_SUCCESS;
    if (destination % 4) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkRange("cuMemsetD32", "the destination", (uintptr_t)destination, count * 4)) return r;
    uint32_t* p = (uint32_t*)(uintptr_t)destination;
    if (value == 0) memset(p, 0, count * 4);
    else std::fill(p, p + count, value);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemsetD32_v2(CUdeviceptr d, unsigned v, size_t n) { return cuMemsetD32Async(d, v, n, nullptr); }

EXPORT CUresult cuMemsetD8Async(CUdeviceptr destination, unsigned char value, size_t count, void* stream) {
    CallScope scope("cuMemsetD8Async");
    if (CUresult r = ready()) return r;
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (count == 0) return CUDA_SUCCESS;
    if (CUresult r = checkRange("cuMemsetD8", "the destination", (uintptr_t)destination, count)) return r;
    memset((void*)(uintptr_t)destination, value, count);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuMemsetD8_v2(CUdeviceptr d, unsigned char v, size_t n) { return cuMemsetD8Async(d, v, n, nullptr); }

EXPORT CUresult cuModuleLoadData(void** module, const void* image) {
    if (CUresult r = ready()) return r;
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    std::string ptx((const char*)image);
    if (ptx.find(".version") == std::string::npos || ptx.find(".target") == std::string::npos) {
        note("cuModuleLoadData: the image is not PTX text (the emulator loads only PTX)");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    Module* m = new Module();
    for (const PTXEntry& e : parsePTX(ptx)) m->entries[e.name] = e;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    gModules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleUnload(void* module) {
    if (CUresult r = ready()) return r;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gModules.erase((Module*)module)) return CUDA_ERROR_INVALID_HANDLE;
    Module* m = (Module*)module;
    for (auto& f : m->functions) gFunctions.erase(f.second.get());
    delete m;
    return CUDA_SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    if (CUresult r = ready()) return r;
    if (!function || !name) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gModules.count((Module*)module)) return CUDA_ERROR_INVALID_HANDLE;
    Module* m = (Module*)module;
    auto existing = m->functions.find(name);
    if (existing != m->functions.end()) {
        *function = existing->second.get();
        return CUDA_SUCCESS;
    }
    auto declared = m->entries.find(name);
    if (declared == m->entries.end()) return CUDA_ERROR_NOT_FOUND;
    const PTXEntry& entry = declared->second;
    auto it = kernelTable().find(name);
    if (it == kernelTable().end()) {
        note("cuModuleGetFunction: the PTX defines %s but the emulator has no host build of it: rerun "
             "scripts/cuda-emulator/build.sh after changing the kernels", name);
        return CUDA_ERROR_NOT_FOUND;
    }
    std::string mismatch = signatureMismatch(*it->second, entry);
    if (!mismatch.empty()) {
        note("cuModuleGetFunction: %s: the emulator was built from other kernel sources: rerun "
             "scripts/cuda-emulator/build.sh", mismatch.c_str());
        return CUDA_ERROR_NOT_FOUND;
    }
    auto f = std::make_unique<Function>();
    f->def = it->second;
    f->name = name;
    f->maxThreads = entry.maxThreads;
    f->maxDynamicShared = kDefaultDynamicShared;
    *function = f.get();
    gFunctions.insert(f.get());
    m->functions[name] = std::move(f);
    return CUDA_SUCCESS;
}

EXPORT CUresult cuFuncSetAttribute(void* function, int attribute, int value) {
    if (CUresult r = ready()) return r;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gFunctions.count((Function*)function)) return CUDA_ERROR_INVALID_HANDLE;
    Function* f = (Function*)function;
    switch (attribute) {
    case 8:  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
        if (value < 0 || (unsigned)value > kMaxDynamicShared) return CUDA_ERROR_INVALID_VALUE;
        f->maxDynamicShared = (unsigned)value;
        return CUDA_SUCCESS;
    case 9:  // CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT
        return value >= -1 && value <= 100 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    default:
        return CUDA_ERROR_INVALID_VALUE;
    }
}

EXPORT CUresult cuFuncGetAttribute(int* value, int attribute, void* function) {
    if (CUresult r = ready()) return r;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> lock(gHandleMutex);
    if (!gFunctions.count((Function*)function)) return CUDA_ERROR_INVALID_HANDLE;
    Function* f = (Function*)function;
    switch (attribute) {
    case 0: *value = f->maxThreads ? f->maxThreads : kMaxThreadsPerBlock; return CUDA_SUCCESS;  // MAX_THREADS_PER_BLOCK
    case 1: *value = 0; return CUDA_SUCCESS;                     // SHARED_SIZE_BYTES (static; not known)
    case 8: *value = (int)f->maxDynamicShared; return CUDA_SUCCESS;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
}

EXPORT CUresult cuLaunchKernel(void* function, unsigned gridX, unsigned gridY, unsigned gridZ, unsigned blockX,
                               unsigned blockY, unsigned blockZ, unsigned sharedBytes, void* stream, void** params,
                               void** extra) {
    CallScope scope("cuLaunchKernel");
    if (CUresult r = ready()) return r;
    Function* f = (Function*)function;
    {
        std::lock_guard<std::mutex> lock(gHandleMutex);
        if (!gFunctions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    }
    if (!validStream(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (extra) {
        note("cuLaunchKernel(%s): `extra` parameter packing is not emulated", f->name.c_str());
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    if (gridX == 0 || gridY == 0 || gridZ == 0 || blockX == 0 || blockY == 0 || blockZ == 0 || gridY > 65535 ||
        gridZ > 65535 || gridX > 2147483647u || blockX > 1024 || blockY > 1024 || blockZ > 64 ||
        (uint64_t)blockX * blockY * blockZ > (uint64_t)kMaxThreadsPerBlock) {
        note("cuLaunchKernel(%s): grid (%u,%u,%u), block (%u,%u,%u) is outside the device's limits", f->name.c_str(), gridX,
             gridY, gridZ, blockX, blockY, blockZ);
        return CUDA_ERROR_INVALID_VALUE;
    }
    unsigned threads = blockX * blockY * blockZ;
    if (f->maxThreads && (int)threads > f->maxThreads) {
        note("cuLaunchKernel(%s): %u threads per block, its __launch_bounds__ allow %d", f->name.c_str(), threads, f->maxThreads);
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }
    if (sharedBytes > f->maxDynamicShared) {
        note("cuLaunchKernel(%s): %u bytes of dynamic shared memory, the function allows %u%s", f->name.c_str(), sharedBytes,
             f->maxDynamicShared, f->maxDynamicShared == kDefaultDynamicShared ? " (raise it with cuFuncSetAttribute)" : "");
        return CUDA_ERROR_INVALID_VALUE;
    }
    const emu::KernelDef* def = f->def;
    if (def->parameterCount > 0 && !params) return CUDA_ERROR_INVALID_VALUE;
    void* bound = def->bind(params);
    {
        std::lock_guard<std::mutex> lock(gMemoryMutex);
        for (int i = 0; i < def->parameterCount; ++i) {
            if (def->parameterKinds[i] != 'p') continue;
            const void* p = def->pointer(bound, i);
            if (p && !findAllocation((uintptr_t)p, 0)) {
                note("cuLaunchKernel(%s): pointer parameter %d (%p) is not in any live allocation (%s)", f->name.c_str(), i, p,
                     describeAddress((uintptr_t)p).c_str());
                def->release(bound);
                return CUDA_ERROR_ILLEGAL_ADDRESS;
            }
        }
    }
    auto started = std::chrono::steady_clock::now();
    Job job;
    job.def = def;
    job.bound = bound;
    job.grid = {gridX, gridY, gridZ};
    job.block = {blockX, blockY, blockZ};
    job.sharedBytes = sharedBytes;
    job.blocks = (uint64_t)gridX * gridY * gridZ;
    {
        std::unique_lock<std::mutex> lock(gLaunchMutex, std::try_to_lock);
        if (!lock.owns_lock()) {
            gContendedLaunches.fetch_add(1, std::memory_order_relaxed);
            lock.lock();
        }
        started = std::chrono::steady_clock::now();
        Runner& r = runner();
        Pool* p = gForkedChild ? nullptr : pool();
        if (p && job.blocks > 1 && job.blocks * threads >= 4096) p->run(job, r);
        else runJob(r, job);
    }
    int failure = job.failure.load();
    if (!failure) {
        std::lock_guard<std::mutex> lock(gMemoryMutex);
        for (int i = 0; i < def->parameterCount && !failure; ++i) {
            if (def->parameterKinds[i] != 'p') continue;
            const void* p = def->pointer(bound, i);
            const Allocation* a = p ? findAllocation((uintptr_t)p, 0) : nullptr;
            long damage = a ? canaryDamage(*a) : -1;
            if (damage >= 0) {
                char text[512];
                snprintf(text, sizeof text, "kernel %s wrote past the end of the %zu-byte allocation at %p that parameter %d "
                         "points into (byte %ld after its end changed)", def->name, a->bytes, (void*)a->base, i, damage);
                job.message = text;
                failure = CUDA_ERROR_ILLEGAL_ADDRESS;
            }
        }
    }
    def->release(bound);
    recordLaunch(def, started, job.blocks * threads);
    if (failure) {
        note("%s", job.message.c_str());
        gStickyError.store(failure);
        return failure;
    }
    return CUDA_SUCCESS;
}

EXPORT CUresult cuGetErrorString(CUresult code, const char** text) {
    if (!text) return CUDA_ERROR_INVALID_VALUE;
    const char* s = errorString(code);
    *text = s;
    return s ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

EXPORT CUresult cuGetErrorName(CUresult code, const char** text) {
    if (!text) return CUDA_ERROR_INVALID_VALUE;
    const char* s = errorName(code);
    *text = s;
    return s ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

/// For the emulated cuBLAS: 0 when [p, p + bytes) lies inside one live allocation, else 1 with `why` filled in.
EXPORT int rlhf_emu_cuda_check_range(const void* p, size_t bytes, char* why, size_t whyBytes) {
    std::lock_guard<std::mutex> lock(gMemoryMutex);
    if (findAllocation((uintptr_t)p, bytes)) return 0;
    if (why && whyBytes) snprintf(why, whyBytes, "%s", describeAddress((uintptr_t)p).c_str());
    return 1;
}

/// NVRTC dlopens libcuda.so.1 when it is loaded and asks it for NVIDIA's private export tables; it copes
/// with a driver that has none (as the emulator has) but not with the function missing.
EXPORT CUresult cuGetExportTable(const void** table, const void* id) {
    (void)id;
    if (table) *table = nullptr;
    return CUDA_ERROR_NOT_SUPPORTED;
}
