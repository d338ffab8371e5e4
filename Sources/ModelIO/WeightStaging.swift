import Tensor

/// A tensor in a model file holds a NaN or infinite weight.
public struct NonFiniteWeightError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model file.
    public let file: String
    /// The tensor, by the file's own name for it.
    public let tensor: String
    /// The first bad element (row-major in the tensor as decoded).
    public let index: Int
    /// Its value, as text ("nan", "inf", "-inf").
    public let value: String

    /// A one-line description.
    public var description: String { "\(file): tensor '\(tensor)' holds a non-finite weight (\(value)) at element \(index)" }
}

/// One host buffer that loaders decode every tensor into, reused from tensor to tensor, then check for
/// non-finite values and hand to `Backend.upload(_:to:)`: weights reach the store only through the backend.
final class WeightStaging {
    private let backend: Backend
    /// The file whose tensors pass through (named in errors).
    let file: String
    private var buffer: UnsafeMutablePointer<Float>
    private var capacity: Int

    /// A staging buffer for tensors of `file` bound for `backend`.
    init(backend: Backend, file: String) {
        self.backend = backend
        self.file = file
        capacity = 1 << 16
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Room for at least `count` floats (the contents are not kept when it grows).
    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            buffer.deallocate()
            capacity = count
            buffer = .allocate(capacity: count)
        }
        return buffer
    }

    /// Checks the `count` floats at `source` (inside this buffer) are finite and uploads them to `destination`.
    func upload(_ source: UnsafeMutablePointer<Float>, count: Int, to destination: FloatPointer, tensor: String) throws {
        if let bad = Self.firstNonFinite(source, count: count) {
            let v = source[bad]
            throw NonFiniteWeightError(file: file, tensor: tensor, index: bad, value: v.isNaN ? "nan" : v > 0 ? "inf" : "-inf")
        }
        backend.upload(UnsafeBufferPointer(start: source, count: count), to: destination)
    }

    /// The index of the first NaN or infinity among `count` floats, if any (x·0 is NaN exactly for those).
    static func firstNonFinite(_ p: UnsafePointer<Float>, count: Int) -> Int? {
        var acc = SIMD8<Float>(repeating: 0)
        let blocks = count / 8
        let raw = UnsafeRawPointer(p)
        for b in 0..<blocks { acc += raw.loadUnaligned(fromByteOffset: 32 * b, as: SIMD8<Float>.self) * 0 }
        var tail: Float = 0
        for i in (8 * blocks)..<count { tail += p[i] * 0 }
        guard acc.sum().isNaN || tail.isNaN else { return nil }
        return (0..<count).first { !p[$0].isFinite }
    }
}
