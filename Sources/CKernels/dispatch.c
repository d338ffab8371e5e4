/* Chooses the kernel variant once and forwards every entry point of CKernels.h through it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel_table.h"

static const char *const isa_names[RLHF_ISA_COUNT] = {"generic", "avx2", "avx512"};

static const rlhf_kernel_table *table_of(int isa) {
    switch (isa) {
#if defined(__x86_64__)
    case RLHF_ISA_AVX2: return &rlhf_kernels_avx2;
    case RLHF_ISA_AVX512: return &rlhf_kernels_avx512;
#endif
    default: return &rlhf_kernels_generic;
    }
}

int rlhf_isa_supported(int isa) {
    switch (isa) {
    case RLHF_ISA_GENERIC: return 1;
#if defined(__x86_64__)
    /* __builtin_cpu_supports also checks that the OS saves the wider registers (XGETBV) */
    case RLHF_ISA_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case RLHF_ISA_AVX512:
        __builtin_cpu_init();
        return rlhf_isa_supported(RLHF_ISA_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq");
#endif
    default: return 0;
    }
}

const char *rlhf_isa_name(int isa) { return isa >= 0 && isa < RLHF_ISA_COUNT ? isa_names[isa] : NULL; }

static int active_isa = -1;                     /* -1 until chosen */
static const rlhf_kernel_table *active_table;   /* NULL until chosen */

/* RLHF_ISA when it names a supported set (a warning on standard error otherwise), else the best supported. */
static int initial_isa(void) {
    int best = RLHF_ISA_GENERIC;
    for (int isa = RLHF_ISA_COUNT - 1; isa > RLHF_ISA_GENERIC; isa--)
        if (rlhf_isa_supported(isa)) { best = isa; break; }
    const char *requested = getenv("RLHF_ISA");
    if (requested && *requested) {
        for (int isa = 0; isa < RLHF_ISA_COUNT; isa++)
            if (strcmp(requested, isa_names[isa]) == 0) {
                if (rlhf_isa_supported(isa)) return isa;
                fprintf(stderr, "warning: RLHF_ISA=%s is not supported by this CPU; using %s\n", requested, isa_names[best]);
                return best;
            }
        fprintf(stderr, "warning: RLHF_ISA=%s is not one of generic, avx2, avx512; using %s\n", requested, isa_names[best]);
    }
    return best;
}

static void publish(int isa) {
    __atomic_store_n(&active_table, table_of(isa), __ATOMIC_RELEASE);
    __atomic_store_n(&active_isa, isa, __ATOMIC_RELEASE);
}

/* The active table (chosen on first use; two threads racing here choose the same one). */
static inline const rlhf_kernel_table *K(void) {
    const rlhf_kernel_table *t = __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
    if (__builtin_expect(t != NULL, 1)) return t;
    publish(initial_isa());
    return __atomic_load_n(&active_table, __ATOMIC_ACQUIRE);
}

int rlhf_isa_active(void) {
    K();
    return __atomic_load_n(&active_isa, __ATOMIC_ACQUIRE);
}

int rlhf_isa_select(int isa) {
    if (!rlhf_isa_supported(isa)) return 0;
    publish(isa);
    return 1;
}

void rlhf_add(float *out, const float *a, const float *b, long lo, long hi) { K()->add(out, a, b, lo, hi); }
void rlhf_scale(float *x, float factor, long lo, long hi) { K()->scale(x, factor, lo, hi); }
double rlhf_sum_of_squares(const float *x, long lo, long hi) { return K()->sum_of_squares(x, lo, hi); }
void rlhf_gelu_forward(float *out, const float *in, long lo, long hi) { K()->gelu_forward(out, in, lo, hi); }
void rlhf_gelu_backward(float *d_in, const float *d_out, const float *in, long lo, long hi) {
    K()->gelu_backward(d_in, d_out, in, lo, hi);
}
void rlhf_gelu_erf_forward(float *out, const float *in, long lo, long hi) { K()->gelu_erf_forward(out, in, lo, hi); }
void rlhf_gelu_erf_backward(float *d_in, const float *d_out, const float *in, long lo, long hi) {
    K()->gelu_erf_backward(d_in, d_out, in, lo, hi);
}
void rlhf_swiglu_forward(float *out, const float *gate_up, long F, long lo, long hi) {
    K()->swiglu_forward(out, gate_up, F, lo, hi);
}
void rlhf_swiglu_backward(float *d_gate_up, const float *d_out, const float *gate_up, long F, long lo, long hi) {
    K()->swiglu_backward(d_gate_up, d_out, gate_up, F, lo, hi);
}
void rlhf_adamw_update(float *p, const float *g, float *m, float *v, const rlhf_adamw_scalars *s, long lo, long hi) {
    K()->adamw_update(p, g, m, v, s, lo, hi);
}
void rlhf_embedding_forward(float *out, const int32_t *ids, const float *table, long C, int accumulate, long lo,
                            long hi) {
    K()->embedding_forward(out, ids, table, C, accumulate, lo, hi);
}
void rlhf_embedding_backward(float *d_table, const float *d_out, const int32_t *ids, long N, long C, long lo, long hi) {
    K()->embedding_backward(d_table, d_out, ids, N, C, lo, hi);
}
void rlhf_layernorm_forward(float *out, float *mean, float *rstd, const float *in, const float *weight,
                            const float *bias, long C, float eps, long lo, long hi) {
    K()->layernorm_forward(out, mean, rstd, in, weight, bias, C, eps, lo, hi);
}
void rlhf_layernorm_backward(float *d_in, float *d_weight, float *d_bias, const float *d_out, const float *in,
                             const float *weight, const float *mean, const float *rstd, long C, long lo, long hi) {
    K()->layernorm_backward(d_in, d_weight, d_bias, d_out, in, weight, mean, rstd, C, lo, hi);
}
void rlhf_rmsnorm_forward(float *out, float *rstd, const float *in, const float *weight, long C, float eps, long lo,
                          long hi) {
    K()->rmsnorm_forward(out, rstd, in, weight, C, eps, lo, hi);
}
void rlhf_rmsnorm_backward(float *d_in, float *d_weight, const float *d_out, const float *in, const float *weight,
                           const float *rstd, long C, long lo, long hi) {
    K()->rmsnorm_backward(d_in, d_weight, d_out, in, weight, rstd, C, lo, hi);
}
void rlhf_rope(float *x, const int32_t *positions, const float *cos, const float *sin, long heads, long D,
               long row_stride, int inverse, long lo, long hi) {
    K()->rope(x, positions, cos, sin, heads, D, row_stride, inverse, lo, hi);
}
float rlhf_row_max(const float *x, long count) { return K()->row_max(x, count); }
double rlhf_exp_shifted(const float *x, float *out, long count, float shift, float scale) {
    return K()->exp_shifted(x, out, count, shift, scale);
}
void rlhf_softmax_rows(float *a, const float *mask, long T, int causal) { K()->softmax_rows(a, mask, T, causal); }
void rlhf_softmax_backward_rows(float *d_a, const float *p, long T, float scale, int causal) {
    K()->softmax_backward_rows(d_a, p, T, scale, causal);
}
void rlhf_cached_attention(float *out, const float *qkv, float *keys, float *values, const float *mask,
                           float *scores, const rlhf_cached_attention_dims *dims, long lo, long hi) {
    K()->cached_attention(out, qkv, keys, values, mask, scores, dims, lo, hi);
}
void rlhf_cross_entropy_forward(float *losses, float *lse, const float *logits, const int32_t *targets, long V,
                                long lo, long hi) {
    K()->cross_entropy_forward(losses, lse, logits, targets, V, lo, hi);
}
void rlhf_cross_entropy_backward(float *d_logits, const float *logits, const float *lse, const int32_t *targets,
                                 const float *d_loss, long V, long lo, long hi) {
    K()->cross_entropy_backward(d_logits, logits, lse, targets, d_loss, V, lo, hi);
}
void rlhf_log_softmax_gather(float *out, const float *logits, const int32_t *targets, long V, long lo, long hi) {
    K()->log_softmax_gather(out, logits, targets, V, lo, hi);
}
void rlhf_token_logprobs_forward(float *log_probs, float *entropy, const float *logits, const int32_t *targets,
                                 long V, float temperature, long lo, long hi) {
    K()->token_logprobs_forward(log_probs, entropy, logits, targets, V, temperature, lo, hi);
}
void rlhf_token_logprobs_backward(float *d_logits, const float *logits, const int32_t *targets,
                                  const float *d_log_probs, const float *d_entropy, long V, float temperature,
                                  long lo, long hi) {
    K()->token_logprobs_backward(d_logits, logits, targets, d_log_probs, d_entropy, V, temperature, lo, hi);
}
long rlhf_skinny_packed_count(long C) { return (C / 8) * 64 > 0 ? (C / 8) * 64 : 1; }
void rlhf_skinny_pack(float *packed, const float *input, long rows, long C) { K()->skinny_pack(packed, input, rows, C); }
void rlhf_skinny_rows(float *out, const float *input, const float *packed, const float *weight, long rows, long C,
                      long OC, long lo, long hi) {
    K()->skinny_rows(out, input, packed, weight, rows, C, OC, lo, hi);
}
void rlhf_pack_panels(float *panels, const float *weight, long C, long OC, long lo, long hi) {
    K()->pack_panels(panels, weight, C, OC, lo, hi);
}
void rlhf_pack_row_tiles(float *packed, const float *input, long M, long C, long lo, long hi) {
    K()->pack_row_tiles(packed, input, M, C, lo, hi);
}
void rlhf_panel_matmul(float *out, const float *packed_input, const float *panels, const float *bias, long M, long C,
                       long OC, long lo, long hi) {
    K()->panel_matmul(out, packed_input, panels, bias, M, C, OC, lo, hi);
}
