import Foundation

/// One tensor of a published policy version: its name and shape, in the order the values are laid out.
package struct WeightTensor: Sendable, Equatable {
    /// The parameter's name (the policy's `ParameterStore` names).
    package var name: String
    /// Its shape.
    package var shape: [Int]

    /// Creates an entry.
    package init(name: String, shape: [Int]) { self.name = name; self.shape = shape }

    /// Elements of the tensor.
    package var count: Int { shape.reduce(1, *) }
}

/// The values of a weights message: memory that stays valid and unchanged while the message lives. Either
/// a host copy the message owns, or memory borrowed from an owner that promises not to change it until
/// the next version is published (the learner's weight snapshot, shared in one process without a copy).
package final class WeightValues: @unchecked Sendable, Equatable {
    /// Floats held.
    package let count: Int
    private let base: UnsafePointer<Float>
    private let owner: AnyObject?
    private let owned: UnsafeMutableBufferPointer<Float>?
    private let pool: WeightBufferPool?

    /// A host copy of `values`.
    package convenience init(_ values: [Float]) {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
        self.init(owning: buffer, count: values.count)
    }

    /// `count` floats at `base`, kept alive by `owner`, which must not change them while this lives.
    package init(borrowing base: UnsafePointer<Float>, count: Int, owner: AnyObject) {
        self.base = base
        self.count = count
        self.owner = owner
        owned = nil
        pool = nil
    }

    /// `count` floats of memory this object owns, and a writable view of it for the one writer that
    /// fills it completely (a weight stream's assembler) before the values are shared. With `pool`, the
    /// memory comes from its spare buffer when it has one of this size, and goes back to it when these
    /// values are gone: the next version reuses the pages instead of faulting in fresh ones.
    package static func assembling(count: Int, pool: WeightBufferPool? = nil) -> (WeightValues, UnsafeMutableRawBufferPointer) {
        let buffer = pool?.take(count: count) ?? {
            let fresh = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
            fresh.initialize(repeating: 0)  // fresh pages: the zeroing is the first touch either way
            return fresh
        }()
        return (WeightValues(owning: buffer, count: count, pool: pool),
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<(count * 4)]))
    }

    private init(owning buffer: UnsafeMutableBufferPointer<Float>, count: Int, pool: WeightBufferPool? = nil) {
        owned = buffer
        base = UnsafePointer(buffer.baseAddress!)
        self.count = count
        owner = nil
        self.pool = pool
    }

    deinit {
        guard let owned else { return }
        if let pool { pool.giveBack(owned) } else { owned.deallocate() }
    }

    /// Calls `body` with the values.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    package static func == (a: WeightValues, b: WeightValues) -> Bool {
        a === b || (a.count == b.count && memcmp(a.base, b.base, a.count * MemoryLayout<Float>.stride) == 0)
    }
}

/// The weights of policy version `version`, as the learner publishes them to rollout generators: a
/// manifest of tensors and their values laid out one after another in manifest order. A generator
/// installs a version between tasks, never inside one. In one process the values are the learner's
/// snapshot, shared by every receiver without a copy; the cluster carries them as ~1 MiB frames with a
/// checksum per tensor.
package struct PolicyWeights: Sendable, Equatable {
    /// The version these weights are (the number of PPO updates behind them).
    package var version: Int
    /// The version they replace (nil for the first).
    package var replaces: Int?
    /// The tensors, in layout order.
    package var tensors: [WeightTensor]
    /// Every tensor's values, one after another [Σ count].
    package var values: WeightValues

    /// Creates a message; `validate` checks that the manifest and the values agree.
    package init(version: Int, replaces: Int?, tensors: [WeightTensor], values: WeightValues) {
        self.version = version; self.replaces = replaces; self.tensors = tensors; self.values = values
    }

    /// Checks that the manifest covers exactly the values, with no empty or negative shapes.
    package func validate() throws(MessageError) {
        var total = 0
        for tensor in tensors {
            guard !tensor.name.isEmpty, tensor.shape.allSatisfy({ $0 > 0 }) else {
                throw .weights(version: version, what: "tensor \"\(tensor.name)\" has shape \(tensor.shape)")
            }
            let (sum, overflow) = total.addingReportingOverflow(tensor.count)
            guard !overflow else { throw .weights(version: version, what: "the manifest's sizes overflow") }
            total = sum
        }
        guard total == values.count else {
            throw .weights(version: version, what: "the manifest lists \(total) values; \(values.count) came")
        }
    }
}
