import Tensor

/// A small, fast, seedable generator (SplitMix64) so initialisation is reproducible across runs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) { state = seed }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }
}

extension ParameterStore {
    /// Hugging Face's default initialisation: matrices and embeddings ~ N(0, std), norm gains 1,
    /// biases 0. Deterministic for a seed.
    public func initializeRandom(seed: UInt64, std: Float = 0.02) {
        var rng = SplitMix64(seed: seed)
        for spec in specs {
            let p = values.pointer + spec.offset
            switch spec.role {
            case .vector:
                let isGain = spec.name.hasSuffix("norm.weight")
                p.update(repeating: isGain ? 1 : 0, count: spec.count)
            case .matrix, .embedding:
                var i = 0
                while i < spec.count {
                    // Box-Muller: two normals per pair of uniforms
                    let u1 = max(rng.nextUnitFloat(), 1e-7), u2 = rng.nextUnitFloat()
                    let r = (-2 * logf(u1)).squareRoot() * std
                    p[i] = r * cosf(2 * .pi * u2)
                    if i + 1 < spec.count { p[i + 1] = r * sinf(2 * .pi * u2) }
                    i += 2
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
