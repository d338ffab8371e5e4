import Tensor

/// What one case works with: both backends, its own seeded generator, the buffers it made (kept alive
/// until the case ends) and the comparisons it has recorded.
package final class CaseRun {
    /// The backend under test.
    package let candidate: any Backend
    /// The backend taken as right (the CPU backend).
    package let reference: any Backend
    /// The bounds the comparisons use.
    package let tolerance: BackendCheckTolerance
    /// The case's own generator (seeded from the run's seed and the case's name).
    package var rng: SplitMix64
    /// The shapes the case drew, for the report ("N=3 V=50000").
    package private(set) var shape = ""
    /// Every comparison so far, in order.
    package private(set) var comparisons: [Comparison] = []
    /// Buffers alive until the case ends (a kernel may get a pointer into any of them).
    private var retained: [AnyObject] = []

    /// Floats after each buffer's `count` filled with random values that must survive every call.
    package static let guardCount = 5

    /// A case's run on `candidate` against `reference`, drawing from `seed`.
    package init(candidate: any Backend, reference: any Backend, tolerance: BackendCheckTolerance, seed: UInt64) {
        self.candidate = candidate; self.reference = reference; self.tolerance = tolerance
        rng = SplitMix64(seed: seed)
    }

    /// The backend on `side`.
    package func backend(_ side: Side) -> any Backend { side == .candidate ? candidate : reference }

    /// Records the shapes the case drew.
    package func describe(_ shape: String) { self.shape = shape }

    /// Runs `body` on the candidate, then on the reference, each with its side's buffers.
    package func both(_ body: (any Backend, Side) -> Void) {
        body(candidate, .candidate)
        body(reference, .reference)
    }

    // MARK: buffers

    /// `values` (then `guardCount` random floats) uploaded to both backends.
    package func floats(_ values: [Float]) -> DeviceFloats {
        let host = values + rng.floats(Self.guardCount, in: -9...9)
        let pair = DeviceFloats(candidate: candidate.makeBuffer(count: host.count), reference: reference.makeBuffer(count: host.count),
                                count: values.count, guardCount: Self.guardCount)
        retained += [pair.candidate, pair.reference]
        candidate.upload(host, to: pair.candidate.pointer)
        reference.upload(host, to: pair.reference.pointer)
        return pair
    }

    /// `count` random floats in `range`, the same in both backends. Outputs start random too, so a kernel
    /// that should overwrite (=) but adds, or should add (+=) but overwrites, fails.
    package func randomFloats(_ count: Int, in range: ClosedRange<Float> = -1...1) -> DeviceFloats {
        floats(rng.floats(count, in: range))
    }

    /// Fresh `makeBuffer(count:)` buffers on both backends, as they come (no upload, no guard).
    package func freshFloats(_ count: Int) -> DeviceFloats {
        let pair = DeviceFloats(candidate: candidate.makeBuffer(count: count), reference: reference.makeBuffer(count: count),
                                count: count, guardCount: 0)
        retained += [pair.candidate, pair.reference]
        return pair
    }

    /// A buffer of `count` floats on one backend only (a packed weight, whose size is the backend's own).
    package func buffer(on side: Side, count: Int) -> FloatBuffer {
        let buffer = backend(side).makeBuffer(count: count)
        retained.append(buffer)
        return buffer
    }

    /// `ids` uploaded to both backends.
    package func tokens(_ ids: [Int32]) -> DeviceTokens {
        let pair = DeviceTokens(candidate: candidate.makeTokenBuffer(count: ids.count),
                                reference: reference.makeTokenBuffer(count: ids.count), count: ids.count)
        retained += [pair.candidate, pair.reference]
        candidate.upload(ids, to: pair.candidate.pointer)
        reference.upload(ids, to: pair.reference.pointer)
        return pair
    }

    /// Fresh `makeTokenBuffer(count:)` buffers on both backends, as they come.
    package func freshTokens(_ count: Int) -> DeviceTokens {
        let pair = DeviceTokens(candidate: candidate.makeTokenBuffer(count: count),
                                reference: reference.makeTokenBuffer(count: count), count: count)
        retained += [pair.candidate, pair.reference]
        return pair
    }

    /// The floats of `pair` on `side`, guard included.
    package func download(_ pair: DeviceFloats, _ side: Side) -> [Float] {
        backend(side).download(pair[side], count: pair.count + pair.guardCount)
    }

    // MARK: comparisons

    /// Compares `pair` between the backends, for an output made of dot products of length `products`
    /// (0: none; see `BackendCheckTolerance`) and whose elements are differences of terms of size
    /// `magnitudes` (see `Comparison.floats`), and its guard floats exactly (apart, so they do not set the
    /// output's scale).
    package func expectClose(_ output: String, _ pair: DeviceFloats, products: Int = 0, magnitudes: [Double]? = nil) {
        let candidate = download(pair, .candidate), reference = download(pair, .reference)
        expectClose(output, candidate: Array(candidate.prefix(pair.count)), reference: Array(reference.prefix(pair.count)),
                    products: products, magnitudes: magnitudes)
        if pair.guardCount > 0 {
            expectEqual("\(output) past the end", candidate: Array(candidate.dropFirst(pair.count)),
                        reference: Array(reference.dropFirst(pair.count)))
        }
    }

    /// Compares host copies of an output.
    package func expectClose(_ output: String, candidate: [Float], reference: [Float], products: Int = 0,
                             magnitudes: [Double]? = nil) {
        comparisons.append(.floats(output, candidate: candidate, reference: reference, magnitudes: magnitudes,
                                   bound: tolerance.floatBound(products: products)))
    }

    /// Compares values that must be equal (tokens, generator states).
    package func expectEqual<T: Equatable>(_ output: String, candidate: [T], reference: [T]) {
        comparisons.append(.exact(output, candidate: candidate, reference: reference))
    }

    /// Compares a Double result.
    package func expectClose(_ output: String, candidate: Double, reference: Double) {
        comparisons.append(.double(output, candidate: candidate, reference: reference, bound: tolerance.doubleBound))
    }

    /// Drops every buffer (the case is over).
    package func release() { retained.removeAll() }
}
