import Tensor
import XCTest
import Dispatch
import Foundation

final class ZZTmpSkinnyBench: XCTestCase {
    func testSkinny() {
        Runtime.configure(threads: Int(ProcessInfo.processInfo.environment["TH"] ?? "2")!)
        let M = Int(ProcessInfo.processInfo.environment["M"] ?? "8")!, C = 576, OC = 3072
        for L in [1, 60] {
        let ws = (0..<L).map { _ in FloatBuffer(count: OC * C) }
        for w in ws { for i in stride(from: 0, to: w.count, by: 16) { w.pointer[i] = 0.01 } }
        let x = FloatBuffer(count: M * C), o = FloatBuffer(count: M * OC)
        for mode in 0..<3 {
            var ts: [Double] = []
            let reps = L == 1 ? 60 : 1
            for _ in 0..<7 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<reps { for w in ws {
                    if mode == 0 { CPUKernels.skinnyMatmulForward(out: o.pointer, input: x.pointer, weight: w.pointer, bias: nil, rows: M, inFeatures: C, outFeatures: OC) }
                    else if mode == 1 { BLAS.parallelGemm(transB: true, m: M, n: OC, k: C, a: x.pointer, b: w.pointer, c: o.pointer) }
                    else { Parallel.forRanges(OC * C / 8, minimumWork: 0) { r in var a = SIMD8<Float>(); for i in r { a += UnsafeRawPointer(w.pointer + i * 8).loadUnaligned(as: SIMD8<Float>.self) }; if a[0] == 12345 { print(a) } } }
                } }
                ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            let med = ts.sorted()[3]
            print("M=\(M) L=\(L) mode=\(["skinny","sgemm","read"][mode]) \(med * 1e3) ms: \(Double(60 * OC * C * 4) / med / 1e9) GB/s")
        }
        }
    }
}
