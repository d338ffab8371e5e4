/* The AVX2 + FMA variant (Haswell and later, Zen 1 and later). Only FMA() fuses: contraction is off. */
#if defined(__x86_64__)
#pragma clang fp contract(off)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VL 8
#define RLHF_HAS_FMA 1
#define RLHF_TABLE rlhf_kernels_avx2
#include "variant_table.h"
#pragma clang attribute pop
#endif
