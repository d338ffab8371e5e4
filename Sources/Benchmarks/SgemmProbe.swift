import Dispatch
import Tensor

/// Measures the machine's sgemm rate right now, with the current thread settings, on a
/// transformer-sized product (1024×3072×768), so benchmark results can state their share of it.
package enum SgemmProbe {
    /// Median GFLOP/s over a few products.
    package static func measureGflops(m: Int = 1024, n: Int = 3072, k: Int = 768, repeats: Int = 7) -> Double {
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
        for i in 0..<a.count { a.pointer[i] = Float(i % 7) * 0.01 }
        for i in 0..<b.count { b.pointer[i] = Float(i % 5) * 0.01 }
        var rates: [Double] = []
        for i in 0..<(repeats + 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            BLAS.parallelGemm(transB: true, m: m, n: n, k: k, a: a.pointer, b: b.pointer, c: c.pointer)
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i > 0 { rates.append(2 * Double(m * n * k) / s / 1e9) }
        }
        return rates.sorted()[rates.count / 2]
    }
}
