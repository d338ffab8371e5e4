/// How one Hugging Face tensor maps onto one Swift parameter, or onto a block of its rows.
struct HFTensorBinding: Equatable {
    /// Where the Hugging Face tensor's values land in the Swift parameter.
    enum Placement: Equatable {
        /// Same layout; the tensor is the whole parameter.
        case whole
        /// Same layout; the tensor is rows `[start, start + hfShape[0])` of the parameter
        /// (Llama's and BERT's separate q/k/v projections and Llama's gate/up inside the fused Swift matrices;
        /// BERT's q/k/v biases inside the fused bias).
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
    /// Floats per row: the product of the dimensions after the first (1 for a vector, such as a bias
    /// filling a block of a fused bias).
    var rowWidth: Int { hfShape.dropFirst().reduce(1, *) }
}
