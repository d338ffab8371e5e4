import Tensor

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
