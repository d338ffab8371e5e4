/// One argument of a kernel launch, as the kernel's C signature declares it.
package enum KernelArgument {
    /// A device address (`float*`, `const int*`...), or null.
    case pointer(UnsafeMutableRawPointer?)
    /// `int`
    case int32(Int32)
    /// `long long`
    case int64(Int64)
    /// `float`
    case float(Float)
    /// `unsigned long long`
    case uint64(UInt64)

    /// A `float*` argument.
    package static func floats(_ p: UnsafeMutablePointer<Float>?) -> KernelArgument { .pointer(p.map { UnsafeMutableRawPointer($0) }) }
    /// An `int*` argument (token ids, positions, targets).
    package static func ints(_ p: UnsafeMutablePointer<Int32>?) -> KernelArgument { .pointer(p.map { UnsafeMutableRawPointer($0) }) }
    /// An `int` argument from a Swift count (which must fit in 32 bits).
    package static func int(_ n: Int) -> KernelArgument { .int32(Int32(n)) }
    /// A C `int` flag.
    package static func flag(_ b: Bool) -> KernelArgument { .int32(b ? 1 : 0) }

    /// Writes the value into the 8 bytes at `slot`.
    func store(at slot: UnsafeMutableRawPointer) {
        switch self {
        case .pointer(let p): slot.storeBytes(of: p, as: UnsafeMutableRawPointer?.self)
        case .int32(let v): slot.storeBytes(of: v, as: Int32.self)
        case .int64(let v): slot.storeBytes(of: v, as: Int64.self)
        case .float(let v): slot.storeBytes(of: v, as: Float.self)
        case .uint64(let v): slot.storeBytes(of: v, as: UInt64.self)
        }
    }
}

/// A launch's grid and block: `blocks` × `threads`, in up to three dimensions.
package struct LaunchShape {
    package var blocks: (x: Int, y: Int, z: Int)
    package var threads: (x: Int, y: Int, z: Int)
    /// Dynamic shared memory in bytes.
    package var sharedBytes: Int

    /// A one-dimensional shape.
    package init(blocks: Int, threads: Int, sharedBytes: Int = 0) {
        self.blocks = (blocks, 1, 1); self.threads = (threads, 1, 1); self.sharedBytes = sharedBytes
    }
    /// A shape with several dimensions.
    package init(blocks: (x: Int, y: Int, z: Int), threads: (x: Int, y: Int, z: Int), sharedBytes: Int = 0) {
        self.blocks = blocks; self.threads = threads; self.sharedBytes = sharedBytes
    }
    /// Enough blocks of `threads` for `count` items, one per thread (at least one block).
    package static func covering(_ count: Int, threads: Int = 256) -> LaunchShape {
        LaunchShape(blocks: max(1, (count + threads - 1) / threads), threads: threads)
    }
}
