import Foundation
import Models
import Tensor
import XCTest
@testable import Training

/// Step time on GPT-2 small's layout (124M floats). Opt-in (`RLHF_BENCH=1`): it needs ~2 GB and a quiet machine.
final class AdamWBenchmarkTests: XCTestCase {
    func testGPT2SmallStepIsUnder150Milliseconds() throws {
        guard ProcessInfo.processInfo.environment["RLHF_BENCH"] == "1" else {
            throw XCTSkip("set RLHF_BENCH=1 to time an AdamW step on 124M floats")
        }
        let store = ParameterStore(specs: ParameterLayout.specs(for: .gpt2Small), backend: CPUBackend.shared)
        store.enableGradients()
        let g = store.gradients!.pointer
        for i in 0..<store.count { g[i] = Float(i % 97) * 1e-3 - 0.05 }
        let optimizer = try AdamW(store: store, config: AdamWConfig(schedule: .constant(3e-4), weightDecay: 0.1))
        optimizer.step(); optimizer.step()  // first touch of the moments
        var times: [Double] = []
        for _ in 0..<7 {
            let start = DispatchTime.now().uptimeNanoseconds
            optimizer.step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        print("AdamW step, \(store.parameterCount) parameters, \(Parallel.threadCount) threads: "
              + "median \(times[3]) ms, min \(times[0]) ms, max \(times[6]) ms")
        let normStart = DispatchTime.now().uptimeNanoseconds
        _ = GradientClipping.globalNorm(of: store)
        print("global gradient norm: \(Double(DispatchTime.now().uptimeNanoseconds - normStart) / 1e6) ms")
        XCTAssertLessThan(times[3], 150)
    }
}
