#ifndef RLHF_CKERNELS_H
#define RLHF_CKERNELS_H
/* The CPU kernels, built once per instruction set (portable baseline, AVX2+FMA, AVX-512) and chosen at run
 * time: on the first call, from the environment variable RLHF_ISA (generic | avx2 | avx512) when it names a
 * set this CPU runs, else the best set CPUID reports. Every function takes a half-open range [lo, hi) of
 * elements, rows or panels, so the caller (Swift's `Parallel`) decides the threading. Shapes follow
 * docs/ARCHITECTURE.md: N rows, C channels, V vocabulary, F feed-forward width, D head dimension. */
#include <stdint.h>

/* Instruction sets, slowest first. */
enum { RLHF_ISA_GENERIC = 0, RLHF_ISA_AVX2 = 1, RLHF_ISA_AVX512 = 2, RLHF_ISA_COUNT = 3 };

/* 1 when this CPU (and OS) runs `isa`'s kernels. */
int rlhf_isa_supported(int isa);
/* The instruction set the kernels use now. */
int rlhf_isa_active(void);
/* Uses `isa` from now on (all threads); returns 0 and changes nothing when it is not supported. */
int rlhf_isa_select(int isa);
/* "generic", "avx2" or "avx512" (NULL for anything else). */
const char *rlhf_isa_name(int isa);

/* The per-step AdamW scalars (see Swift's AdamWScalars). */
typedef struct {
    float decay_factor, one_minus_beta1, beta2, one_minus_beta2, negative_step_size, bias_correction2_sqrt, epsilon;
} rlhf_adamw_scalars;

/* One cached-attention call: Tn new tokens per row, H query heads, KV key/value heads, head dimension D,
 * cache capacity P and `past` positions already cached. */
typedef struct {
    long new_tokens, heads, kv_heads, head_dim, capacity, past;
} rlhf_cached_attention_dims;

/* ---- element-wise ---- */
/* out[i] = a[i] + b[i] (out may alias a or b). */
void rlhf_add(float *out, const float *a, const float *b, long lo, long hi);
/* x[i] *= factor. */
void rlhf_scale(float *x, float factor, long lo, long hi);
/* Σ x[i]², accumulated in double. */
double rlhf_sum_of_squares(const float *x, long lo, long hi);
/* out[i] = tanh-GELU(in[i]). */
void rlhf_gelu_forward(float *out, const float *in, long lo, long hi);
/* d_in[i] = gelu'(in[i])·d_out[i] (d_in may alias d_out). */
void rlhf_gelu_backward(float *d_in, const float *d_out, const float *in, long lo, long hi);
/* out[i] = exact GELU(in[i]) = in[i]·Φ(in[i]) with the erf form of Φ (BERT's "gelu"). */
void rlhf_gelu_erf_forward(float *out, const float *in, long lo, long hi);
/* d_in[i] = (Φ(x) + x·φ(x))·d_out[i] with x = in[i] (d_in may alias d_out). */
void rlhf_gelu_erf_backward(float *d_in, const float *d_out, const float *in, long lo, long hi);
/* Rows n of out[N,F] = silu(gate)·up, gate_up[N,2F] = [gate | up]. */
void rlhf_swiglu_forward(float *out, const float *gate_up, long F, long lo, long hi);
/* Rows n of d_gate_up[N,2F] (=) from d_out[N,F] (no overlap). */
void rlhf_swiglu_backward(float *d_gate_up, const float *d_out, const float *gate_up, long F, long lo, long hi);
/* AdamW over p, g, m, v [lo, hi), PyTorch's fp32 operation order, no FMA contraction. */
void rlhf_adamw_update(float *p, const float *g, float *m, float *v, const rlhf_adamw_scalars *s, long lo, long hi);

/* ---- per row ---- */
/* Rows n: out[N,C] = table[ids[n],C] (+= when accumulate); ids checked by the caller. */
void rlhf_embedding_forward(float *out, const int32_t *ids, const float *table, long C, int accumulate, long lo,
                            long hi);
/* Channels [lo, hi) of d_table[V,C] += scatter of d_out[N,C] by ids[N], rows in order. */
void rlhf_embedding_backward(float *d_table, const float *d_out, const int32_t *ids, long N, long C, long lo, long hi);
/* Rows n of LayerNorm: out[N,C], mean[N], rstd[N] from in[N,C], weight[C], bias[C]. */
void rlhf_layernorm_forward(float *out, float *mean, float *rstd, const float *in, const float *weight,
                            const float *bias, long C, float eps, long lo, long hi);
/* Rows n: d_in[N,C] +=, d_weight[C] +=, d_bias[C] += (the worker's partials). */
void rlhf_layernorm_backward(float *d_in, float *d_weight, float *d_bias, const float *d_out, const float *in,
                             const float *weight, const float *mean, const float *rstd, long C, long lo, long hi);
/* Rows n of RMSNorm: out[N,C], rstd[N] from in[N,C], weight[C]. */
void rlhf_rmsnorm_forward(float *out, float *rstd, const float *in, const float *weight, long C, float eps, long lo,
                          long hi);
/* Rows n: d_in[N,C] +=, d_weight[C] += (the worker's partials). */
void rlhf_rmsnorm_backward(float *d_in, float *d_weight, const float *d_out, const float *in, const float *weight,
                           const float *rstd, long C, long lo, long hi);
/* Rows n: rotates `heads` head vectors of D floats at x + n·row_stride by positions[n] (rotate_half pairing);
 * cos/sin are the table's [P, D/2]; inverse uses −sin. Positions checked by the caller. */
void rlhf_rope(float *x, const int32_t *positions, const float *cos, const float *sin, long heads, long D,
               long row_stride, int inverse, long lo, long hi);

/* ---- softmax family ---- */
/* max x[i] over count values (NaN skipped, −inf when empty). */
float rlhf_row_max(const float *x, long count);
/* out[i] = exp((x[i] − shift)·scale); returns Σ out[i] in double. */
double rlhf_exp_shifted(const float *x, float *out, long count, float shift, float scale);
/* Softmax in place of the T rows of a[T,T]: row t sees keys j with mask[j] != 0 (mask may be NULL), and only
 * j ≤ t when causal. */
void rlhf_softmax_rows(float *a, const float *mask, long T, int causal);
/* d_a[T,T] (in place) = p·(d_a − Σ d_a·p)·scale over each row's visible keys (as causal says), 0 elsewhere. */
void rlhf_softmax_backward_rows(float *d_a, const float *p, long T, float scale, int causal);
/* (batch row, KV head) pairs [lo, hi) of cached attention: appends the new keys/values of qkv[B,Tn,(H+2KV)·D]
 * to keys/values[B,KV,P,D] and writes out[B,Tn,H·D]; mask[B,P]; scores holds P floats. */
void rlhf_cached_attention(float *out, const float *qkv, float *keys, float *values, const float *mask,
                           float *scores, const rlhf_cached_attention_dims *dims, long lo, long hi);
/* Rows n: losses[n] = lse − logits[n,t], lse[n] saved (0 loss for t < 0). Targets < V checked by the caller. */
void rlhf_cross_entropy_forward(float *losses, float *lse, const float *logits, const int32_t *targets, long V,
                                long lo, long hi);
/* Rows n: d_logits[N,V] (=, may alias logits) = (softmax − onehot)·d_loss[n]. */
void rlhf_cross_entropy_backward(float *d_logits, const float *logits, const float *lse, const int32_t *targets,
                                 const float *d_loss, long V, long lo, long hi);
/* Rows n: out[n] = logits[n,t] − logsumexp(logits[n]) (0 for t < 0). */
void rlhf_log_softmax_gather(float *out, const float *logits, const int32_t *targets, long V, long lo, long hi);
/* Rows n: log_probs[n] of softmax(logits/T) at targets[n] and, when entropy is not NULL, its entropy. */
void rlhf_token_logprobs_forward(float *log_probs, float *entropy, const float *logits, const int32_t *targets,
                                 long V, float temperature, long lo, long hi);
/* Rows n: d_logits[N,V] (=) of Σ d_log_probs·logp + d_entropy·H (either may be NULL). */
void rlhf_token_logprobs_backward(float *d_logits, const float *logits, const int32_t *targets,
                                  const float *d_log_probs, const float *d_entropy, long V, float temperature,
                                  long lo, long hi);

/* ---- decoding products ---- */
/* Floats of the packed input tile `rlhf_skinny_pack` writes for C inputs. */
long rlhf_skinny_packed_count(long C);
/* packed[C/8][8][8] = up to 8 rows of input[rows,C] (rows past `rows` zero). */
void rlhf_skinny_pack(float *packed, const float *input, long rows, long C);
/* Output columns [lo, hi) of out[rows,OC] = input[rows,C]·weight[OC,C]ᵀ for rows ≤ 8, input packed. */
void rlhf_skinny_rows(float *out, const float *input, const float *packed, const float *weight, long rows, long C,
                      long OC, long lo, long hi);
/* Panels [lo, hi) of panels[P][C][24] = weight[OC,C] by 24 output columns, k-major, zero-padded. */
void rlhf_pack_panels(float *panels, const float *weight, long C, long OC, long lo, long hi);
/* Tiles [lo, hi) of packed[tiles][C][4] = input[M,C] by 4 rows, k-major, zero past M. */
void rlhf_pack_row_tiles(float *packed, const float *input, long M, long C, long lo, long hi);
/* Panels [lo, hi) of out[M,OC] = input·weightᵀ (+ bias[OC], may be NULL) from the packed tiles and panels. */
void rlhf_panel_matmul(float *out, const float *packed_input, const float *panels, const float *bias, long M, long C,
                       long OC, long lo, long hi);

#endif
