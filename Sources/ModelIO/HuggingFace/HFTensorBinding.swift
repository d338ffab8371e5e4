/// How one Hugging Face tensor maps onto one Swift parameter, or onto a block of its rows.
struct HFTensorBinding: Equatable {
    /// Where the Hugging Face tensor's values land in the Swift parameter.
    enum Placement: Equatable {
        /// Same layout; the tensor is the whole parameter.
        case whole
        /// Same layout; the tensor is rows `[start, start + hfShape[0])` of the parameter
        /// (Llama's separate q/k/v and gate/up projections inside the fused Swift matrices).
        case rows(start: Int)
        /// The tensor is the parameter transposed (GPT-2's Conv1D stores weights [in, out]).
        case transposed
    }

    /// Hugging Face key, e.g. `transformer.h.0.attn.c_attn.weight`.
    let hfKey: String
    /// Shape the Hugging Face tensor must have.
    let hfShape: [Int]
    /// Swift parameter name, e.g. `layers.0.attn.qkv.weight`.
    let parameter: String
    /// Where the values go.
    let placement: Placement

    /// Number of floats.
    var count: Int { hfShape.reduce(1, *) }
}
