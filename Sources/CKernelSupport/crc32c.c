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
#include <pthread.h>

/* One stream of 8-byte crc32 steps: bound by the instruction's latency (3 cycles for 8 bytes). */
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw_one(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n && ((uintptr_t)p & 7)) { c = __builtin_ia32_crc32qi((uint32_t)c, *p++); n--; }
    while (n >= 8) { uint64_t a; memcpy(&a, p, 8); c = __builtin_ia32_crc32di(c, a); p += 8; n -= 8; }
    while (n--) c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return (uint32_t)c;
}

/* Long inputs go as three interleaved streams over three consecutive blocks of BLOCK bytes (the
   instruction issues one a cycle, so three chains run about three times as fast as one), joined by the
   CRC's linearity: the register after A then B is shift(register after A, |B| zero bytes) xor the
   register of B alone from 0. A shift by BLOCK or 2 * BLOCK bytes is a 32 x 32 matrix over GF(2), applied
   as four 256-entry tables (built once from the 32 unit vectors). */
#define BLOCK 4096
static uint32_t shift_tables[2][4][256];  /* [0]: BLOCK zero bytes, [1]: 2 * BLOCK */
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

static uint32_t zero_bytes(uint32_t x, size_t n) {
    while (n--) x = table[x & 0xFF] ^ (x >> 8);
    return x;
}

static void build_shift_tables(void) {
    (void)crc32c_table(0, NULL, 0);  /* the byte table */
    for (int which = 0; which < 2; which++) {
        uint32_t unit[32];
        for (int bit = 0; bit < 32; bit++) unit[bit] = zero_bytes(1u << bit, (size_t)BLOCK * (size_t)(which + 1));
        for (int k = 0; k < 4; k++)
            for (uint32_t v = 0; v < 256; v++) {
                uint32_t image = 0;
                for (int bit = 0; bit < 8; bit++) if (v & (1u << bit)) image ^= unit[8 * k + bit];
                shift_tables[which][k][v] = image;
            }
    }
}

static inline uint32_t shifted(uint32_t x, int which) {
    return shift_tables[which][0][x & 0xFF] ^ shift_tables[which][1][(x >> 8) & 0xFF]
         ^ shift_tables[which][2][(x >> 16) & 0xFF] ^ shift_tables[which][3][x >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t n) {
    if (n < 3 * BLOCK) return crc32c_hw_one(crc, p, n);
    pthread_once(&shift_once, build_shift_tables);
    while (n && ((uintptr_t)p & 7)) { crc = __builtin_ia32_crc32qi(crc, *p++); n--; }
    while (n >= 3 * BLOCK) {
        uint64_t a = crc, b = 0, c = 0;
        for (size_t i = 0; i < BLOCK; i += 8) {
            uint64_t x, y, z;
            memcpy(&x, p + i, 8); memcpy(&y, p + BLOCK + i, 8); memcpy(&z, p + 2 * BLOCK + i, 8);
            a = __builtin_ia32_crc32di(a, x);
            b = __builtin_ia32_crc32di(b, y);
            c = __builtin_ia32_crc32di(c, z);
        }
        crc = shifted((uint32_t)a, 1) ^ shifted((uint32_t)b, 0) ^ (uint32_t)c;
        p += 3 * BLOCK; n -= 3 * BLOCK;
    }
    return crc32c_hw_one(crc, p, n);
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
