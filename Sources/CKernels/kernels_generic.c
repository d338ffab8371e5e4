/* The portable variant: the target's baseline instructions (SSE2 on x86_64), multiply and add unfused. */
#pragma clang fp contract(off)
#define VL 8
#define RLHF_HAS_FMA 0
#define RLHF_TABLE rlhf_kernels_generic
#include "variant_table.h"
