/* The AVX-512 variant (F, BW, VL, DQ: Skylake-SP, Ice Lake, Zen 4/5): 512-bit vectors for the element-wise
 * and row kernels, 32 vector registers for the 8-wide matmul tiles. Only FMA() fuses: contraction is off. */
#if defined(__x86_64__)
#pragma clang fp contract(off)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma"))), apply_to = function)
#define VL 16
#define RLHF_HAS_FMA 1
#define RLHF_TABLE rlhf_kernels_avx512
#include "variant_table.h"
#pragma clang attribute pop
#endif
