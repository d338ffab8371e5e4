@testable import Tensor
import TestSupport
import XCTest

/// Element-wise addition.
final class ElementwiseTests: KernelTestCase {
    func testAddMatchesReference() {
        var rng = SeededGenerator(seed: 10)
        let count = 70_001
        let a = rng.floats(count, in: -100...100), b = rng.floats(count)
        let out = buffer(count: count)
        CPUKernels.add(out: out.pointer, buffer(a).pointer, buffer(b).pointer, count: count)
        // float addition is correctly rounded: the result is the rounded Double sum exactly
        assertClose(out.array, zip(a, b).map { Double(Float(Double($0) + Double($1))) }, absolute: 0, "a + b")
    }

    func testAddInPlace() {
        var rng = SeededGenerator(seed: 11)
        let a = rng.floats(1001), b = rng.floats(1001)
        let inOut = buffer(a)
        CPUKernels.add(out: inOut.pointer, inOut.pointer, buffer(b).pointer, count: a.count)
        assertClose(inOut.array, zip(a, b).map { Double(Float(Double($0) + Double($1))) }, absolute: 0, "a += b")
    }
}
