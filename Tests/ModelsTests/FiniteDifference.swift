import Models
import Tensor
import XCTest

/// Central finite differences of a scalar loss against the analytic gradients in parameter stores.
enum FiniteDifference {
    /// For a few entries of every tensor of every store, compares store.gradients with
    /// (loss(p + h) − loss(p − h)) / 2h; returns how many entries were compared.
    @discardableResult
    static func check(_ stores: [(name: String, store: ParameterStore)], h: Float = 1e-2, samples: Int = 3,
                      _ what: String, loss: () throws -> Double,
                      file: StaticString = #filePath, line: UInt = #line) rethrows -> Int {
        var checked = 0
        for (storeName, store) in stores {
            guard let gradients = store.gradients else {
                XCTFail("\(what): \(storeName) has no gradients", file: file, line: line)
                continue
            }
            let values = store.values.pointer, grads = gradients.pointer
            for spec in store.specs {
                // `samples` entries spread over the tensor (a tensor smaller than that is visited again)
                for k in 0..<samples {
                    let i = spec.offset + (k * 7919 + 13) % spec.count
                    let saved = values[i]
                    values[i] = saved + h
                    let plus = try loss()
                    values[i] = saved - h
                    let minus = try loss()
                    values[i] = saved
                    let numeric = (plus - minus) / Double(2 * h)
                    XCTAssertEqual(Double(grads[i]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric),
                                   "\(what): \(storeName).\(spec.name)[\(i - spec.offset)]", file: file, line: line)
                    checked += 1
                }
            }
        }
        return checked
    }

    /// `count` fixed pseudo-random weights in [−1, 1) for a seed.
    static func weights(_ count: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
    }
}
