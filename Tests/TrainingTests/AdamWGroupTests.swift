import Models
import Tensor
import Training
import XCTest

/// AdamW over several parameter groups (a trunk and a head), each with its own learning rate and weight
/// decay, against the textbook formulas; frozen stores are refused.
final class AdamWGroupTests: XCTestCase {
    override func setUp() { Runtime.configure(threads: 2) }

    func testTwoGroupsStepWithTheirOwnLearningRateAndDecay() throws {
        let trunk = ParameterStore(specs: [("w", [3, 4], .matrix), ("b", [4], .vector)], backend: CPUBackend.shared)
        let head = ParameterStore(specs: [("weight", [1, 5], .matrix)], backend: CPUBackend.shared)
        var numbers = TestNumbers(state: 42)
        for store in [trunk, head] {
            store.enableGradients()
            for spec in store.specs { store.setValues(spec.name, (0..<spec.count).map { _ in numbers.next() }) }
        }
        let optimizer = try AdamW(groups: [
            (trunk, AdamWConfig(schedule: .constant(1e-2), weightDecay: 0.1)),
            (head, AdamWConfig(schedule: .constant(3e-1), beta1: 0.8, beta2: 0.99, weightDecay: 0)),
        ])
        var refTrunkW = AdamWReference(count: 12, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)
        var refTrunkB = AdamWReference(count: 4, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)
        var refHead = AdamWReference(count: 5, lr: 3e-1, beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0)
        var w = trunk.values("w"), b = trunk.values("b"), h = head.values("weight")
        for _ in 0..<4 {
            let gw = (0..<12).map { _ in numbers.next() }, gb = (0..<4).map { _ in numbers.next() }
            let gh = (0..<5).map { _ in numbers.next() }
            trunk.setGradients("w", gw); trunk.setGradients("b", gb); head.setGradients("weight", gh)
            optimizer.step()
            refTrunkW.step(&w, gw, decays: Array(repeating: true, count: 12))
            refTrunkB.step(&b, gb, decays: Array(repeating: false, count: 4))
            refHead.step(&h, gh, decays: Array(repeating: false, count: 5))
        }
        XCTAssertEqual(optimizer.stepCount, 4)
        for (got, want, name) in [(trunk.values("w"), w, "trunk w"), (trunk.values("b"), b, "trunk b"),
                                  (head.values("weight"), h, "head")] {
            for i in want.indices { XCTAssertEqual(got[i], want[i], accuracy: 1e-6, "\(name)[\(i)]") }
        }
        // the groups really differ: the head moved by its larger learning rate
        XCTAssertEqual(optimizer.groups.count, 2)
        XCTAssertEqual(optimizer.groups[1].moments.count, 2 * head.count)
    }

    func testFrozenStoreIsRefused() throws {
        let store = ParameterStore(specs: [("w", [2, 2], .matrix)], backend: CPUBackend.shared)
        store.freeze()
        XCTAssertThrowsError(try AdamW(store: store)) { XCTAssertEqual($0 as? OptimizerError, .frozenParameters) }
        XCTAssertNil(store.gradients)
    }

    func testNoGroupsIsRefused() {
        XCTAssertThrowsError(try AdamW(groups: [])) { XCTAssertEqual($0 as? OptimizerError, .noParameterGroups) }
    }

    func testOneNormClipsEveryGroup() throws {
        let a = ParameterStore(specs: [("w", [2], .vector)], backend: CPUBackend.shared)
        let b = ParameterStore(specs: [("w", [1], .vector)], backend: CPUBackend.shared)
        a.enableGradients(); b.enableGradients()
        a.setGradients("w", [3, 0]); b.setGradients("w", [4])
        XCTAssertEqual(GradientClipping.clipGlobalNorm(of: [a, b], maxNorm: 1), 5, accuracy: 1e-9)
        XCTAssertEqual(Double(a.gradient("w")[0]), 0.6, accuracy: 1e-6)
        XCTAssertEqual(Double(b.gradient("w")[0]), 0.8, accuracy: 1e-6)
    }
}
