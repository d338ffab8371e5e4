#include <stdint.h>
#include <string.h>
#include "CKernelSupport.h"

static uint32_t table[256];
static int table_ready;

static uint32_t crc32c_table(uint32_t crc, const uint8_t *p, size_t n) {
    if (!table_ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        table_ready = 1;  /* benign race: every thread writes the same values */
    }
    while (n--) crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
/* One stream of 8-byte crc32 steps (unrolled by four): bound by the instruction's latency, several GB/s,
   which is ample for weight streams and event files. */
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n && ((uintptr_t)p & 7)) { c = __builtin_ia32_crc32qi((uint32_t)c, *p++); n--; }
    while (n >= 32) {
        uint64_t a, b, d, e;
        memcpy(&a, p, 8); memcpy(&b, p + 8, 8); memcpy(&d, p + 16, 8); memcpy(&e, p + 24, 8);
        c = __builtin_ia32_crc32di(c, a);
        c = __builtin_ia32_crc32di(c, b);
        c = __builtin_ia32_crc32di(c, d);
        c = __builtin_ia32_crc32di(c, e);
        p += 32; n -= 32;
    }
    while (n >= 8) { uint64_t a; memcpy(&a, p, 8); c = __builtin_ia32_crc32di(c, a); p += 8; n -= 8; }
    while (n--) c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return (uint32_t)c;
}
#endif

uint32_t rlhf_crc32c_portable(uint32_t crc, const void *bytes, size_t count) {
    return ~crc32c_table(~crc, (const uint8_t *)bytes, count);
}

uint32_t rlhf_crc32c(uint32_t crc, const void *bytes, size_t count) {
    crc = ~crc;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc32c_hw(crc, (const uint8_t *)bytes, count);
#endif
    return ~crc32c_table(crc, (const uint8_t *)bytes, count);
}
