import Dispatch
import Tensor

/// Measures how fast the cores can stream floats from memory right now (a read-only STREAM-style sum
/// over 512 MiB with the current `Parallel` workers): the bound for a decoding step that reads every weight.
package enum MemoryBandwidthProbe {
    /// Median GB/s over a few passes.
    package static func measureGBps(megabytes: Int = 512, repeats: Int = 5) -> Double {
        let count = megabytes * 1_048_576 / 4
        let buffer = FloatBuffer(count: count)
        for i in stride(from: 0, to: count, by: 1024) { buffer.pointer[i] = 1 }
        var rates: [Double] = []
        var sink: Float = 0
        for i in 0..<(repeats + 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            sink += sum(buffer.pointer, count: count)
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i > 0 { rates.append(Double(count * 4) / s / 1e9) }
        }
        precondition(sink.isFinite)
        return rates.sorted()[rates.count / 2]
    }

    private static func sum(_ p: FloatPointer, count: Int) -> Float {
        let partials = FloatBuffer(count: 64)
        let workers = Parallel.forRangesIndexed(count / 32, minimumWork: 0) { w, range in
            var a = SIMD8<Float>(repeating: 0), b = a, c = a, d = a
            for block in range {
                let q = UnsafeRawPointer(p + block * 32)
                a += q.loadUnaligned(as: SIMD8<Float>.self)
                b += q.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                c += q.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                d += q.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            }
            partials.pointer[w] = (a + b + c + d).sum()
        }
        return (0..<workers).reduce(0) { $0 + partials.pointer[$1] }
    }
}
