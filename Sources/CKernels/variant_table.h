/* Included last by each variant file: its kernel bodies and the table that names them (RLHF_TABLE). */
#include "kernel_table.h"
#include "simd.h"
#include "elementwise.h"
#include "rows.h"
#include "softmax.h"
#include "matmul.h"

const rlhf_kernel_table RLHF_TABLE = {
    k_add, k_scale, k_sum_of_squares, k_gelu_forward, k_gelu_backward, k_gelu_erf_forward,
    k_gelu_erf_backward, k_swiglu_forward, k_swiglu_backward,
    k_adamw_update, k_embedding_forward, k_embedding_backward, k_layernorm_forward, k_layernorm_backward,
    k_rmsnorm_forward, k_rmsnorm_backward, k_rope, k_row_max, k_exp_shifted, k_softmax_rows,
    k_softmax_backward_rows, k_cached_attention, k_cross_entropy_forward, k_cross_entropy_backward,
    k_log_softmax_gather, k_token_logprobs_forward, k_token_logprobs_backward, k_skinny_pack, k_skinny_rows,
    k_pack_panels, k_pack_row_tiles, k_panel_matmul,
};
