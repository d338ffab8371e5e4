/// One aligned allocation whose slices go out as zero-copy frames: fill it, then cut it into frames
/// (`frames(chunkBytes:)`), each keeping the whole buffer alive until libzmq has sent it.
/// Nothing may write the buffer once a frame of it exists.
package final class FrameBuffer: @unchecked Sendable {
    /// The memory (64-byte aligned).
    package let bytes: UnsafeMutableRawBufferPointer

    /// A buffer of `count` zeroed bytes.
    package init(count: Int) {
        precondition(count >= 0, "FrameBuffer(count: \(count))")
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// The number of bytes.
    package var count: Int { bytes.count }

    /// A frame over `range` of the buffer, sent without a copy.
    package func frame(_ range: Range<Int>) -> Frame {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "frame \(range) of a \(count)-byte buffer")
        return Frame(unsafeBytes: UnsafeRawBufferPointer(rebasing: bytes[range]), owner: self)
    }

    /// The buffer as consecutive frames of `chunkBytes` (the last one shorter).
    package func frames(chunkBytes: Int) -> [Frame] {
        precondition(chunkBytes > 0, "chunkBytes \(chunkBytes)")
        return stride(from: 0, to: count, by: chunkBytes).map { frame($0 ..< min($0 + chunkBytes, count)) }
    }

    deinit { bytes.deallocate() }
}
