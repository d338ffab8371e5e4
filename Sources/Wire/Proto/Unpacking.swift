import Foundation
import RLHFProtoC

/// C memory protobuf-c may hold at once while it unpacks `bytes` bytes: 16 bytes for each byte received,
/// plus 64 KiB. Every message a sender of this package writes needs far less (packed int32 ids take 4 bytes
/// per byte; a tensor entry or a metric with a short name about 5); a hostile one that would expand more
/// (a megabyte of empty sub-messages, each a 2-byte field that unpacks into a ~100-byte struct) fails as
/// unparseable once it reaches the budget, instead of allocating without bound.
func unpackBudget(bytes: Int) -> Int { 16 * bytes + (64 << 10) }

/// The books of one unpack: bytes still allowed, bytes in use, and the most in use at once.
struct UnpackBooks {
    var left: Int
    var inUse = 0
    var peak = 0
}

/// A protobuf-c allocator over malloc that refuses to hand out more than `books.left` bytes at once. Each
/// block carries its size in front (16 bytes, keeping malloc's alignment), so `free` gives it back.
func budgetAllocator(_ books: UnsafeMutablePointer<UnpackBooks>) -> ProtobufCAllocator {
    ProtobufCAllocator(
        alloc: { data, size in
            let books = data!.assumingMemoryBound(to: UnpackBooks.self)
            guard size <= books.pointee.left, let block = malloc(size + 16) else { return nil }
            books.pointee.left -= size
            books.pointee.inUse += size
            books.pointee.peak = max(books.pointee.peak, books.pointee.inUse)
            block.storeBytes(of: size, as: Int.self)
            return block + 16
        },
        free: { data, pointer in
            guard let pointer else { return }
            let books = data!.assumingMemoryBound(to: UnpackBooks.self)
            let block = pointer - 16
            let size = block.load(as: Int.self)
            books.pointee.left += size
            books.pointee.inUse -= size
            Foundation.free(block)
        },
        allocator_data: UnsafeMutableRawPointer(books))
}

/// Unpacks `bytes` as message `M` within `unpackBudget`, gives the message to `body`, and frees it with the
/// same allocator whatever `body` does. Bytes that are not protobuf of `M`, or that need more memory than
/// the budget, are `.unparseable(part)`. `books`, when given, receives the unpack's books.
func unpacked<M: ProtoMessage, R>(_: M.Type, _ bytes: UnsafeRawBufferPointer, part: @autoclosure () -> String,
                                  books report: UnsafeMutablePointer<UnpackBooks>? = nil,
                                  _ body: (M) throws(WireError) -> R) throws(WireError) -> R {
    let books = UnsafeMutablePointer<UnpackBooks>.allocate(capacity: 1)
    books.initialize(to: UnpackBooks(left: unpackBudget(bytes: bytes.count)))
    let allocator = UnsafeMutablePointer<ProtobufCAllocator>.allocate(capacity: 1)
    allocator.initialize(to: budgetAllocator(books))
    defer {
        report?.pointee = books.pointee
        allocator.deallocate()
        books.deallocate()
    }
    let data = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
    guard let raw = protobuf_c_message_unpack(M.descriptor, allocator, bytes.count, data) else {
        throw .unparseable(part())
    }
    defer { protobuf_c_message_free_unpacked(raw, allocator) }
    return try body(UnsafeMutableRawPointer(raw).assumingMemoryBound(to: M.self).pointee)
}
