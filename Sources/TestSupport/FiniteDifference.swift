import Models
import Tensor
import XCTest

/// Central finite differences of a scalar loss, and the checks that compare them with analytic gradients:
/// element-wise (single entries) and directional (a random direction over many entries at once).
///
/// Both checks use `assertClose`'s rule with the bound `absolute + relative · |numeric|`, where `absolute`
/// scales with the size of the gradient being checked (its largest entry, or its norm along a direction)
/// plus a small floor for float32 rounding in the loss, so a gradient that is small overall is held to
/// its own size rather than passing under a fixed floor.
package enum FiniteDifference {
    /// (f(+h) − f(−h)) / 2h for a loss `f` of a signed step.
    package static func slope(step h: Double, _ loss: (Double) throws -> Double) rethrows -> Double {
        (try loss(h) - loss(-h)) / (2 * h)
    }

    /// d loss / d values[index] by a central difference, in Double.
    package static func derivative(_ values: [Double], at index: Int, step: Double = 1e-5,
                                  _ loss: ([Double]) throws -> Double) rethrows -> Double {
        try slope(step: step) { t in
            var moved = values
            moved[index] += t
            return try loss(moved)
        }
    }

    /// How closely a numeric derivative must match: `relative` of its own size plus `scaleFraction` of
    /// the checked gradient's size plus `floor` (float32 rounding in the loss over the step).
    package struct Tolerance: Sendable {
        /// Fraction of |numeric|.
        package var relative: Double
        /// Fraction of the gradient's size (its largest |entry|, or |g|·|d| along a direction d).
        package var scaleFraction: Double
        /// An absolute floor.
        package var floor: Double

        /// A tolerance of the three parts.
        package init(relative: Double = 2e-2, scaleFraction: Double = 1e-3, floor: Double = 1e-4) {
            self.relative = relative
            self.scaleFraction = scaleFraction
            self.floor = floor
        }
    }

    /// For every tensor of every store: compares the analytic gradient with central differences at
    /// `samples` entries spread over the entries that get a gradient, and along one random direction over
    /// the whole tensor (which catches a row whose gradient went missing). A tensor whose gradient is zero
    /// everywhere fails, unless it is named in `unreached` (tensors the loss does not depend on), whose
    /// gradient must then be zero everywhere. Returns how many entries were compared element-wise.
    @discardableResult
    package static func check(_ stores: [(name: String, store: ParameterStore)], step h: Float = 1e-2, samples: Int = 3,
                             tolerance: Tolerance = Tolerance(), unreached: Set<String> = [], _ what: String,
                             loss: () throws -> Double,
                             file: StaticString = #filePath, line: UInt = #line) rethrows -> Int {
        var checked = 0
        for (storeName, store) in stores {
            guard let gradients = store.gradients else {
                XCTFail("\(what): \(storeName) has no gradients", file: file, line: line)
                continue
            }
            let all = store.backend.download(gradients.pointer, count: store.count)
            for (index, spec) in store.specs.enumerated() {
                let name = "\(what): \(storeName).\(spec.name)"
                let grads = Array(all[spec.offset..<(spec.offset + spec.count)])
                let touched = grads.indices.filter { grads[$0] != 0 }
                if unreached.contains(spec.name) {
                    XCTAssertEqual(touched.count, 0, "\(name) is not reached by the loss but has a gradient", file: file, line: line)
                    continue
                }
                guard !touched.isEmpty else {
                    XCTFail("\(name) gets no gradient anywhere", file: file, line: line)
                    continue
                }
                let scale = largestMagnitude(grads)
                let picks = Set((0..<samples).map { touched[$0 * (touched.count - 1) / max(samples - 1, 1)] }).sorted()
                for i in picks {
                    let numeric = try slope(store, entries: [spec.offset + i], along: [1], step: h, loss)
                    let bound = tolerance.relative * abs(numeric) + tolerance.scaleFraction * scale + tolerance.floor
                    assertClose(grads[i], numeric, absolute: bound, "\(name)[\(i)]", file: file, line: line)
                    checked += 1
                }
                let direction = unitDirection(spec.count, seed: UInt64(index) &* 0x9E37_79B9 &+ 1)
                let numeric = try slope(store, entries: Array(spec.offset..<(spec.offset + spec.count)), along: direction, step: h, loss)
                let analytic = zip(grads, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let norm = grads.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let bound = tolerance.relative * abs(numeric) + tolerance.scaleFraction * norm + tolerance.floor
                assertClose(analytic, numeric, absolute: bound, "\(name) along a random direction", file: file, line: line)
            }
        }
        return checked
    }

    /// Compares the analytic directional derivative ⟨gradient, d⟩ with a central difference of `loss`
    /// along unit directions d over all the weights of `stores` at once, one per seed. `step` is the
    /// length of the step along d.
    package static func checkDirections(_ stores: [ParameterStore], seeds: [UInt64] = [1, 2, 3], step h: Float = 1e-2,
                                       tolerance: Tolerance = Tolerance(), _ what: String, loss: () throws -> Double,
                                       file: StaticString = #filePath, line: UInt = #line) rethrows {
        let grads = stores.map { store in store.gradients.map { store.backend.download($0.pointer, count: store.count) } }
        guard grads.allSatisfy({ $0 != nil }) else { XCTFail("\(what): a store has no gradients", file: file, line: line); return }
        let flat = grads.flatMap { $0! }
        let norm = flat.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertGreaterThan(norm, 0, "\(what): the gradient is zero everywhere", file: file, line: line)
        for seed in seeds {
            let direction = unitDirection(flat.count, seed: seed)
            let analytic = zip(flat, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let saved = stores.map { $0.backend.download($0.values.pointer, count: $0.count) }
            func shifted(_ t: Double) throws -> Double {
                var offset = 0
                for (store, values) in zip(stores, saved) {
                    let moved = values.indices.map { values[$0] + Float(t) * direction[offset + $0] }
                    store.backend.upload(moved, to: store.values.pointer)
                    offset += values.count
                }
                return try loss()
            }
            defer { for (store, values) in zip(stores, saved) { store.backend.upload(values, to: store.values.pointer) } }
            let numeric = try slope(step: Double(h), shifted)
            let bound = tolerance.relative * abs(numeric) + tolerance.scaleFraction * norm + tolerance.floor
            assertClose(analytic, numeric, absolute: bound, "\(what): direction \(seed)", file: file, line: line)
        }
    }

    /// d loss / dt of `loss` with `entries` of `store` moved by t · `direction`.
    private static func slope(_ store: ParameterStore, entries: [Int], along direction: [Float], step h: Float,
                              _ loss: () throws -> Double) rethrows -> Double {
        let saved = entries.map { store.backend.download(store.values.pointer + $0, count: 1)[0] }
        func set(_ t: Float) {
            for (k, i) in entries.enumerated() { store.backend.upload([saved[k] + t * direction[k]], to: store.values.pointer + i) }
        }
        defer { set(0) }
        set(h)
        let plus = try loss()
        set(-h)
        let minus = try loss()
        return (plus - minus) / Double(2 * h)
    }

    /// A fixed pseudo-random direction of unit length over `count` entries.
    package static func unitDirection(_ count: Int, seed: UInt64) -> [Float] {
        let raw = weights(count, seed: seed)
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }

    /// `count` fixed pseudo-random weights in [−1, 1) for a seed.
    package static func weights(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
    }
}
