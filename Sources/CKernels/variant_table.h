/* Included last by each variant file: its kernel bodies and the table that names them (RLHF_TABLE), each
   entry by its field name, so a field added to or moved in kernel_table.h cannot take another's body. */
#include "kernel_table.h"
#include "simd.h"
#include "elementwise.h"
#include "rows.h"
#include "softmax.h"
#include "matmul.h"

const rlhf_kernel_table RLHF_TABLE = {
    .add = k_add,
    .scale = k_scale,
    .sum_of_squares = k_sum_of_squares,
    .gelu_forward = k_gelu_forward,
    .gelu_backward = k_gelu_backward,
    .gelu_erf_forward = k_gelu_erf_forward,
    .gelu_erf_backward = k_gelu_erf_backward,
    .swiglu_forward = k_swiglu_forward,
    .swiglu_backward = k_swiglu_backward,
    .adamw_update = k_adamw_update,
    .embedding_forward = k_embedding_forward,
    .embedding_backward = k_embedding_backward,
    .layernorm_forward = k_layernorm_forward,
    .layernorm_backward = k_layernorm_backward,
    .rmsnorm_forward = k_rmsnorm_forward,
    .rmsnorm_backward = k_rmsnorm_backward,
    .rope = k_rope,
    .row_max = k_row_max,
    .exp_shifted = k_exp_shifted,
    .softmax_rows = k_softmax_rows,
    .softmax_backward_rows = k_softmax_backward_rows,
    .cached_attention = k_cached_attention,
    .cross_entropy_forward = k_cross_entropy_forward,
    .cross_entropy_backward = k_cross_entropy_backward,
    .log_softmax_gather = k_log_softmax_gather,
    .token_logprobs_forward = k_token_logprobs_forward,
    .token_logprobs_backward = k_token_logprobs_backward,
    .skinny_pack = k_skinny_pack,
    .skinny_rows = k_skinny_rows,
    .pack_panels = k_pack_panels,
    .pack_row_tiles = k_pack_row_tiles,
    .panel_matmul = k_panel_matmul,
};
