import Models

/// The model shapes the benchmarks build with random weights.
package enum BenchModel: String, CaseIterable, Sendable {
    case gpt2Small = "gpt2-small", gpt2Tiny = "gpt2-tiny", llamaSmol = "llama-smol"

    /// The shape.
    package var config: TransformerConfig {
        switch self {
        case .gpt2Small: .gpt2Small
        case .gpt2Tiny: .gpt2Tiny
        case .llamaSmol: .llamaSmol
        }
    }
}
