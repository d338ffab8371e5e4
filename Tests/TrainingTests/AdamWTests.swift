import Foundation
import Models
import Tensor
@testable import Training
import XCTest

final class AdamWTests: XCTestCase {
    /// A 2×2 matrix, a 3-float vector and a 2-row embedding, with hyper-parameters chosen so that every
    /// term shows: large decay, eps comparable to √v̂, β2 far from 1 so bias correction 2 matters.
    private func smallStore() -> ParameterStore {
        let store = ParameterStore(specs: [("w", [2, 2], .matrix), ("b", [3], .vector), ("e", [2, 1], .embedding)],
                                   backend: CPUBackend.shared)
        store.enableGradients()
        store.setValues("w", [0.5, -1.0, 2.0, 0.25])
        store.setValues("b", [1.0, -0.5, 0.75])
        store.setValues("e", [-2.0, 1.5])
        return store
    }

    private let gradientsPerStep: [(w: [Double], b: [Double], e: [Double])] = [
        ([0.3, -0.002, 1.5, 0.01], [0.004, -0.7, 0.2], [0.05, -0.001]),
        ([-0.1, 0.004, 1.2, -0.03], [0.001, -0.5, -0.4], [0.02, 0.003]),
        ([0.2, 0.0, 0.9, 0.02], [-0.002, 0.1, 0.3], [-0.06, 0.002]),
    ]

    private func runThreeSteps(decayEmbeddings: Bool) throws {
        let (lr, beta1, beta2, eps, wd) = (0.1, 0.8, 0.9, 1e-3, 0.5)
        let store = smallStore()
        let optimizer = try AdamW(store: store, config: AdamWConfig(
            schedule: .constant(lr), beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: wd,
            decayEmbeddings: decayEmbeddings))

        var p = store.values("w") + store.values("b") + store.values("e")
        let decays = Array(repeating: true, count: 4) + Array(repeating: false, count: 3)
            + Array(repeating: decayEmbeddings, count: 2)
        var reference = AdamWReference(count: p.count, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: wd)

        for (k, g) in gradientsPerStep.enumerated() {
            store.setGradients("w", g.w); store.setGradients("b", g.b); store.setGradients("e", g.e)
            optimizer.step()
            reference.step(&p, g.w + g.b + g.e, decays: decays)
            let got = store.values("w") + store.values("b") + store.values("e")
            for i in p.indices {
                XCTAssertEqual(got[i], p[i], accuracy: 2e-6, "step \(k + 1), float \(i)")
            }
        }
        XCTAssertEqual(optimizer.stepCount, 3)
        // the moments are readable in the documented layout: m then v, same offsets as the store
        let b = store.spec(named: "b")!.offset
        XCTAssertEqual(Double(optimizer.firstMoment[b + 1]), reference.m[5], accuracy: 1e-6)
        XCTAssertEqual(Double(optimizer.secondMoment[b + 1]), reference.v[5], accuracy: 1e-6)
        XCTAssertEqual(Double(optimizer.moments.pointer[store.count + b + 1]), reference.v[5], accuracy: 1e-6)
    }

    func testThreeStepsMatchTheFormulasWithDecayOnMatricesOnly() throws {
        try runThreeSteps(decayEmbeddings: false)
    }

    func testThreeStepsMatchTheFormulasWithDecayedEmbeddings() throws {
        try runThreeSteps(decayEmbeddings: true)
    }

    /// After one step m̂ = g and v̂ = g², so p₁ = p₀·(1 − lr·λ) − lr·g / (|g| + eps), written out here.
    func testFirstStepIsSignedLearningRateAfterBiasCorrection() throws {
        let store = ParameterStore(specs: [("w", [2], .matrix), ("b", [2], .vector)], backend: CPUBackend.shared)
        store.enableGradients()
        store.setValues("w", [1.0, -3.0]); store.setValues("b", [2.0, 0.5])
        store.setGradients("w", [0.5, -0.01]); store.setGradients("b", [-2.0, 0.02])
        let optimizer = try AdamW(store: store, config: AdamWConfig(
            schedule: .constant(0.01), epsilon: 0.01, weightDecay: 0.1))
        optimizer.step()
        let w = store.values("w"), b = store.values("b")
        // tolerance: two float ulps at these magnitudes
        XCTAssertEqual(w[0], 1.0 * (1 - 0.001) - 0.01 * 0.5 / (0.5 + 0.01), accuracy: 3e-7)
        XCTAssertEqual(w[1], -3.0 * (1 - 0.001) - 0.01 * -0.01 / (0.01 + 0.01), accuracy: 5e-7)
        XCTAssertEqual(b[0], 2.0 - 0.01 * -2.0 / (2.0 + 0.01), accuracy: 5e-7)
        XCTAssertEqual(b[1], 0.5 - 0.01 * 0.02 / (0.02 + 0.01), accuracy: 1e-7)
    }

    /// Tensors that span several workers' chunks, odd sizes (SIMD tails) and all three roles.
    func testLargeStoreMatchesTheFormulasOnTheParallelPath() throws {
        let store = ParameterStore(specs: [("a", [37, 1001], .matrix), ("b", [13], .vector),
                                           ("c", [301, 117], .embedding), ("d", [5, 7], .matrix)],
                                   backend: CPUBackend.shared)
        store.enableGradients()
        let names = ["a", "b", "c", "d"]
        var numbers = TestNumbers(state: 42)
        for name in names { store.setValues(name, (0..<store.spec(named: name)!.count).map { _ in numbers.next() }) }
        let (lr, beta1, beta2, eps, wd) = (0.01, 0.9, 0.999, 1e-8, 0.1)
        let optimizer = try AdamW(store: store, config: AdamWConfig(
            schedule: .constant(lr), beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: wd))

        var p = names.flatMap { store.values($0) }
        let decays = names.flatMap { name -> [Bool] in
            let s = store.spec(named: name)!
            return Array(repeating: s.role == .matrix, count: s.count)
        }
        var reference = AdamWReference(count: p.count, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: wd)
        for _ in 0..<3 {
            var g: [Double] = []
            for name in names {
                let grads = (0..<store.spec(named: name)!.count).map { _ in numbers.next() }
                store.setGradients(name, grads)
                g += grads
            }
            optimizer.step()
            reference.step(&p, g, decays: decays)
        }
        let got = names.flatMap { store.values($0) }
        var worst = 0.0
        for i in p.indices { worst = max(worst, abs(got[i] - p[i])) }
        XCTAssertLessThan(worst, 1e-5)
    }

    /// ½ Σ aᵢ (pᵢ − cᵢ)² with curvatures over three decades: AdamW with a cosine schedule reaches the minimum.
    func testConvergesOnAQuadratic() throws {
        let store = ParameterStore(specs: [("w", [2, 3], .matrix), ("b", [3], .vector)], backend: CPUBackend.shared)
        store.enableGradients()
        let curvature: [Double] = [1, 10, 0.1, 3, 100, 0.5, 1, 20, 0.3]
        let target: [Double] = [1, -2, 0.5, 3, -0.25, 4, -1, 0, 2]
        store.setValues("w", [0, 0, 0, 0, 0, 0]); store.setValues("b", [0, 0, 0])
        let optimizer = try AdamW(store: store, config: AdamWConfig(
            schedule: .cosine(peak: 0.1, warmupSteps: 20, totalSteps: 1500), weightDecay: 0))

        func loss() -> Double {
            let p = store.values("w") + store.values("b")
            return p.indices.reduce(0) { $0 + 0.5 * curvature[$1] * (p[$1] - target[$1]) * (p[$1] - target[$1]) }
        }
        let initial = loss()
        var early = 0.0
        for step in 0..<1500 {
            let p = store.values("w") + store.values("b")
            let g = p.indices.map { curvature[$0] * (p[$0] - target[$0]) }
            store.setGradients("w", Array(g[0..<6])); store.setGradients("b", Array(g[6...]))
            optimizer.step()
            if step == 49 { early = loss() }
        }
        let final = loss()
        XCTAssertGreaterThan(initial, 10)
        XCTAssertLessThan(early, initial)
        XCTAssertLessThan(final, early)
        XCTAssertLessThan(final, 1e-8)
    }

    func testStepFollowsTheScheduleFromStepZero() throws {
        let store = ParameterStore(specs: [("w", [4], .matrix)], backend: CPUBackend.shared)
        store.enableGradients()
        store.setValues("w", [1, 2, 3, 4]); store.setGradients("w", [1, 1, 1, 1])
        let optimizer = try AdamW(store: store, config: AdamWConfig(
            schedule: .linear(peak: 0.2, warmupSteps: 2, totalSteps: 10), weightDecay: 0.5))
        XCTAssertEqual(optimizer.step(), 0)
        XCTAssertEqual(store.values("w"), [1, 2, 3, 4], "lr 0 moves nothing, decay included")
        XCTAssertEqual(optimizer.step(), 0.1, accuracy: 1e-12)
        XCTAssertEqual(optimizer.step(), 0.2, accuracy: 1e-12)
        XCTAssertEqual(optimizer.currentLearningRate, 0.2 * 7 / 8, accuracy: 1e-12)
    }

    func testRestoredStateContinuesExactly() throws {
        func makeStore() -> ParameterStore {
            let store = ParameterStore(specs: [("w", [3, 5], .matrix), ("b", [5], .vector)], backend: CPUBackend.shared)
            store.enableGradients()
            store.setValues("w", (0..<15).map { Double($0) / 7 - 1 }); store.setValues("b", [1, 2, 3, 4, 5])
            return store
        }
        let config = AdamWConfig(schedule: .cosine(peak: 0.05, warmupSteps: 1, totalSteps: 10), weightDecay: 0.1)
        let original = makeStore(), resumed = makeStore()
        let first = try AdamW(store: original, config: config)
        func setGradients(_ store: ParameterStore, _ k: Int) {
            store.setGradients("w", (0..<15).map { sin(Double($0 + k)) }); store.setGradients("b", (0..<5).map { cos(Double($0 * k)) })
        }
        for k in 0..<3 { setGradients(original, k); first.step() }

        resumed.values.pointer.update(from: original.values.pointer, count: original.count)
        let second = try AdamW(store: resumed, config: config)
        try second.restore(moments: UnsafeBufferPointer(start: first.moments.pointer, count: first.moments.count),
                           stepCount: first.stepCount)
        setGradients(original, 3); setGradients(resumed, 3)
        first.step(); second.step()
        XCTAssertEqual(resumed.values.array, original.values.array)
        XCTAssertEqual(second.moments.array, first.moments.array)
        XCTAssertEqual(second.stepCount, 4)
    }

    func testRestoreRejectsStateOfAnotherSize() throws {
        let store = ParameterStore(specs: [("w", [4], .matrix)], backend: CPUBackend.shared)
        let optimizer = try AdamW(store: store)
        let wrong = [Float](repeating: 0, count: 7)
        XCTAssertThrowsError(try wrong.withUnsafeBufferPointer { try optimizer.restore(moments: $0, stepCount: 3) }) {
            XCTAssertEqual($0 as? OptimizerError, .stateSizeMismatch(expected: 2 * store.count, got: 7))
        }
        XCTAssertEqual(optimizer.stepCount, 0)
    }

    func testInvalidHyperparametersAreTypedErrors() {
        let store = ParameterStore(specs: [("w", [4], .matrix)], backend: CPUBackend.shared)
        XCTAssertThrowsError(try AdamW(store: store, config: AdamWConfig(beta1: 1))) {
            guard case .invalidHyperparameter(name: "beta1", value: 1, requirement: _)? = ($0 as? OptimizerError)?.code else {
                return XCTFail("\($0)")
            }
        }
        XCTAssertThrowsError(try AdamW(store: store, config: AdamWConfig(weightDecay: -0.1)))
        XCTAssertThrowsError(try AdamW(store: store, config: AdamWConfig(
            schedule: .linear(peak: 1e-3, warmupSteps: 10, totalSteps: 5))))
    }

    func testDecaySegmentsFollowRolesAndMerge() {
        // offsets: v 0..<3, m1 16..<22, m2 32..<36, v2 48..<50, e 64..<70 (each tensor 16-float aligned)
        let store = ParameterStore(specs: [("v", [3], .vector), ("m1", [2, 3], .matrix), ("m2", [2, 2], .matrix),
                                           ("v2", [2], .vector), ("e", [3, 2], .embedding)],
                                   backend: CPUBackend.shared)
        XCTAssertEqual(store.count, 70)
        XCTAssertEqual(WeightDecaySegment.segments(for: store.specs, count: store.count, decayEmbeddings: false), [
            WeightDecaySegment(range: 0..<16, decays: false),
            WeightDecaySegment(range: 16..<48, decays: true),
            WeightDecaySegment(range: 48..<70, decays: false),
        ])
        XCTAssertEqual(WeightDecaySegment.segments(for: store.specs, count: store.count, decayEmbeddings: true), [
            WeightDecaySegment(range: 0..<16, decays: false),
            WeightDecaySegment(range: 16..<48, decays: true),
            WeightDecaySegment(range: 48..<64, decays: false),
            WeightDecaySegment(range: 64..<70, decays: true),
        ])
    }
}
