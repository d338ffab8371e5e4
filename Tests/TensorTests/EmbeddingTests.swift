@testable import Tensor
import TestSupport
import XCTest

/// Embedding gather and scatter against plain Double loops.
final class EmbeddingTests: KernelTestCase {
    // N·C is above the parallel threshold, C is not a multiple of 8
    let V = 17, N = 300, C = 123

    func testForwardGathersRows() {
        var rng = SeededGenerator(seed: 1)
        let table = rng.floats(V * C), ids = rng.ids(N, below: V)
        let out = buffer(count: N * C)
        withTokens(ids) { CPUKernels.embeddingForward(out: out.pointer, ids: $0, table: buffer(table).pointer,
                                                      rows: N, channels: C, accumulate: false) }
        var expected = [Double](repeating: 0, count: N * C)
        for n in 0..<N { for c in 0..<C { expected[n * C + c] = Double(table[Int(ids[n]) * C + c]) } }
        assertClose(out.array, expected, absolute: 0, "gather")
    }

    func testForwardAccumulates() {
        var rng = SeededGenerator(seed: 2)
        let table = rng.floats(V * C), ids = rng.ids(N, below: V), prior = rng.floats(N * C)
        let out = buffer(prior)
        withTokens(ids) { CPUKernels.embeddingForward(out: out.pointer, ids: $0, table: buffer(table).pointer,
                                                      rows: N, channels: C, accumulate: true) }
        var expected = prior.doubles
        for n in 0..<N { for c in 0..<C { expected[n * C + c] += Double(table[Int(ids[n]) * C + c]) } }
        assertClose(out.array, expected, absolute: 1e-6, "gather +=")
    }

    func testBackwardScattersRepeatedIdsAndAccumulates() {
        var rng = SeededGenerator(seed: 3)
        // few distinct ids, so many rows hit the same table row
        let ids = rng.ids(N, below: 5), dOut = rng.floats(N * C), prior = rng.floats(V * C)
        let dTable = buffer(prior)
        withTokens(ids) { CPUKernels.embeddingBackward(dTable: dTable.pointer, dOut: buffer(dOut).pointer, ids: $0,
                                                       rows: N, channels: C) }
        var expected = prior.doubles
        for n in 0..<N { for c in 0..<C { expected[Int(ids[n]) * C + c] += Double(dOut[n * C + c]) } }
        assertClose(dTable.array, expected, absolute: 1e-5, "scatter +=")
    }
}
