/* The table of one instruction-set variant's kernels; dispatch.c forwards every public entry point of
 * include/CKernels.h through the active table. */
#include "CKernels.h"

typedef struct {
    void (*add)(float *, const float *, const float *, long, long);
    void (*scale)(float *, float, long, long);
    double (*sum_of_squares)(const float *, long, long);
    void (*gelu_forward)(float *, const float *, long, long);
    void (*gelu_backward)(float *, const float *, const float *, long, long);
    void (*gelu_erf_forward)(float *, const float *, long, long);
    void (*gelu_erf_backward)(float *, const float *, const float *, long, long);
    void (*swiglu_forward)(float *, const float *, long, long, long);
    void (*swiglu_backward)(float *, const float *, const float *, long, long, long);
    void (*adamw_update)(float *, const float *, float *, float *, const rlhf_adamw_scalars *, long, long);
    void (*embedding_forward)(float *, const int32_t *, const float *, long, int, long, long);
    void (*embedding_backward)(float *, const float *, const int32_t *, long, long, long, long);
    void (*layernorm_forward)(float *, float *, float *, const float *, const float *, const float *, long, float,
                              long, long);
    void (*layernorm_backward)(float *, float *, float *, const float *, const float *, const float *, const float *,
                               const float *, long, long, long);
    void (*rmsnorm_forward)(float *, float *, const float *, const float *, long, float, long, long);
    void (*rmsnorm_backward)(float *, float *, const float *, const float *, const float *, const float *, long, long,
                             long);
    void (*rope)(float *, const int32_t *, const float *, const float *, long, long, long, int, long, long);
    float (*row_max)(const float *, long);
    double (*exp_shifted)(const float *, float *, long, float, float);
    void (*softmax_rows)(float *, const float *, long, int);
    void (*softmax_backward_rows)(float *, const float *, long, float, int);
    void (*cached_attention)(float *, const float *, float *, float *, const float *, float *,
                             const rlhf_cached_attention_dims *, long, long);
    void (*cross_entropy_forward)(float *, float *, const float *, const int32_t *, long, long, long);
    void (*cross_entropy_backward)(float *, const float *, const float *, const int32_t *, const float *, long, long,
                                   long);
    void (*log_softmax_gather)(float *, const float *, const int32_t *, long, long, long);
    void (*token_logprobs_forward)(float *, float *, const float *, const int32_t *, long, float, long, long);
    void (*token_logprobs_backward)(float *, const float *, const int32_t *, const float *, const float *, long, float,
                                    long, long);
    void (*skinny_pack)(float *, const float *, long, long);
    void (*skinny_rows)(float *, const float *, const float *, const float *, long, long, long, long, long);
    void (*pack_panels)(float *, const float *, long, long, long, long);
    void (*pack_row_tiles)(float *, const float *, long, long, long, long);
    void (*panel_matmul)(float *, const float *, const float *, const float *, long, long, long, long, long);
} rlhf_kernel_table;

extern const rlhf_kernel_table rlhf_kernels_generic;
#if defined(__x86_64__)
extern const rlhf_kernel_table rlhf_kernels_avx2;
extern const rlhf_kernel_table rlhf_kernels_avx512;
#endif
