import Tensor

extension ParameterStore {
    /// The name of the first tensor that holds a NaN or an infinity, if any: what a command checks before
    /// it writes weights (a merged adapter, a trained model), read through the backend 1 Mi floats at a time.
    public func firstNonFiniteTensor() -> String? {
        var staging = [Float](repeating: 0, count: Swift.min(Swift.max(count, 1), 1 << 20))
        for spec in specs {
            let base = value(spec.name)
            var done = 0
            while done < spec.count {
                let n = Swift.min(staging.count, spec.count - done)
                let finite = staging.withUnsafeMutableBufferPointer { buffer -> Bool in
                    let part = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
                    backend.download(base + done, into: part)
                    return part.allSatisfy(\.isFinite)
                }
                if !finite { return spec.name }
                done += n
            }
        }
        return nil
    }
}
