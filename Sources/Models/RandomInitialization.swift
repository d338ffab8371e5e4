import Tensor

extension ParameterStore {
    /// Hugging Face's default initialisation: matrices and embeddings ~ N(0, std), norm gains 1,
    /// biases 0. Deterministic for a seed.
    public func initializeRandom(seed: UInt64, std: Float = 0.02) {
        var rng = SplitMix64(seed: seed)
        var host: [Float] = []  // one tensor at a time, uploaded to the backend
        for spec in specs {
            host.removeAll(keepingCapacity: true)
            switch spec.role {
            case .vector:
                let isGain = spec.name.hasSuffix("norm.weight")
                host = [Float](repeating: isGain ? 1 : 0, count: spec.count)
            case .matrix, .embedding:
                host.reserveCapacity(spec.count)
                while host.count < spec.count {
                    // Box-Muller: two normals per pair of uniforms
                    let u1 = max(rng.nextUnitFloat(), 1e-7), u2 = rng.nextUnitFloat()
                    let r = (-2 * logf(u1)).squareRoot() * std
                    host.append(r * cosf(2 * .pi * u2))
                    if host.count < spec.count { host.append(r * sinf(2 * .pi * u2)) }
                }
            }
            backend.upload(host, to: values.pointer + spec.offset)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
