import RLHFProtoC

/// The C memory of one message while it is built and packed: the structs, arrays and strings its fields
/// point to, all freed together when the arena goes.
final class PackArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    init() {}

    deinit { for block in blocks { block.deallocate() } }

    /// Uninitialised room for `count` values of `T` (room for one when `count` is 0).
    func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let capacity = max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<T>.stride, alignment: MemoryLayout<T>.alignment)
        blocks.append(raw)
        return raw.bindMemory(to: T.self, capacity: capacity)
    }

    /// A message struct with its defaults.
    func message<M: ProtoMessage>(_: M.Type) -> UnsafeMutablePointer<M> {
        let message = allocate(M.self, count: 1)
        message.initialize(to: M())
        M.initialise(message)
        return message
    }

    /// `values` as a C array.
    func array<C: Collection>(_ values: C) -> UnsafeMutablePointer<C.Element> {
        let pointer = allocate(C.Element.self, count: values.count)
        _ = UnsafeMutableBufferPointer(start: pointer, count: values.count).initialize(from: values)
        return pointer
    }

    /// `text` as a NUL-terminated C string; a NUL inside it would end the string early, so it is refused.
    func string(_ text: String, field: String) throws(WireError) -> UnsafeMutablePointer<CChar> {
        let utf8 = text.utf8
        guard !utf8.contains(0) else { throw .unrepresentable(field: field, value: "a string with a NUL byte") }
        let pointer = allocate(CChar.self, count: utf8.count + 1)
        var i = 0
        for byte in utf8 { pointer[i] = CChar(bitPattern: byte); i += 1 }
        pointer[i] = 0
        return pointer
    }

    /// Strings as a C array of C strings.
    func strings(_ texts: [String], field: String) throws(WireError) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let pointer = allocate(UnsafeMutablePointer<CChar>?.self, count: texts.count)
        for (i, text) in texts.enumerated() { pointer[i] = try string(text, field: field) }
        return pointer
    }

    /// Sub-messages as a C array of pointers.
    func messages<M: ProtoMessage>(_ items: [UnsafeMutablePointer<M>]) -> UnsafeMutablePointer<UnsafeMutablePointer<M>?> {
        let pointer = allocate(UnsafeMutablePointer<M>?.self, count: items.count)
        for (i, item) in items.enumerated() { pointer[i] = item }
        return pointer
    }

    /// Rows of token ids as one packed array of int32 plus the row lengths.
    func rows(_ rows: [[Int]], field: String) throws(WireError) -> PackedRows {
        guard rows.count <= WireProtocol.rowLimit else {
            throw .unrepresentable(field: field, value: "\(rows.count) rows (at most \(WireProtocol.rowLimit))")
        }
        let total = rows.reduce(0) { $0 + $1.count }
        let values = allocate(Int32.self, count: total)
        let lengths = allocate(Int32.self, count: rows.count)
        var at = 0
        for (r, row) in rows.enumerated() {
            guard let length = Int32(exactly: row.count) else { throw .unrepresentable(field: field, value: "a row of \(row.count) ids") }
            lengths[r] = length
            for value in row {
                guard let id = Int32(exactly: value) else { throw .unrepresentable(field: field, value: "id \(value)") }
                values[at] = id
                at += 1
            }
        }
        return PackedRows(values: values, count: total, lengths: lengths, rows: rows.count)
    }

    /// Rows of floats as one packed array plus the row lengths.
    func rows(_ rows: [[Float]], field: String) throws(WireError) -> PackedFloatRows {
        guard rows.count <= WireProtocol.rowLimit else {
            throw .unrepresentable(field: field, value: "\(rows.count) rows (at most \(WireProtocol.rowLimit))")
        }
        let total = rows.reduce(0) { $0 + $1.count }
        let values = allocate(Float.self, count: total)
        let lengths = allocate(Int32.self, count: rows.count)
        var at = 0
        for (r, row) in rows.enumerated() {
            guard let length = Int32(exactly: row.count) else { throw .unrepresentable(field: field, value: "a row of \(row.count) values") }
            lengths[r] = length
            row.withUnsafeBufferPointer { (values + at).update(from: $0.baseAddress!, count: $0.count) }
            at += row.count
        }
        return PackedFloatRows(values: values, count: total, lengths: lengths, rows: rows.count)
    }
}

extension PackArena {
    /// Texts as one packed array of their UTF-8 bytes plus each one's length in bytes (a NUL travels too).
    func texts(_ texts: [String], field: String) throws(WireError) -> PackedTexts {
        guard texts.count <= WireProtocol.rowLimit else {
            throw .unrepresentable(field: field, value: "\(texts.count) rows (at most \(WireProtocol.rowLimit))")
        }
        let total = texts.reduce(0) { $0 + $1.utf8.count }
        guard total <= WireProtocol.bodyLimit else { throw .unrepresentable(field: field, value: "\(total) bytes of text") }
        let bytes = allocate(UInt8.self, count: total)
        let lengths = allocate(Int32.self, count: texts.count)
        var at = 0
        for (r, text) in texts.enumerated() {
            let utf8 = text.utf8
            lengths[r] = Int32(utf8.count)  // at most the body limit: fits
            for byte in utf8 { bytes[at] = byte; at += 1 }
        }
        return PackedTexts(bytes: ProtobufCBinaryData(len: total, data: bytes), lengths: lengths, rows: texts.count)
    }
}

/// Texts packed for the wire: their bytes, one after another, and `rows` lengths.
struct PackedTexts {
    var bytes: ProtobufCBinaryData
    var lengths: UnsafeMutablePointer<Int32>, rows: Int
}

/// Rows of ids packed for the wire: `count` values and `rows` lengths.
struct PackedRows {
    var values: UnsafeMutablePointer<Int32>, count: Int
    var lengths: UnsafeMutablePointer<Int32>, rows: Int
}

/// Rows of floats packed for the wire: `count` values and `rows` lengths.
struct PackedFloatRows {
    var values: UnsafeMutablePointer<Float>, count: Int
    var lengths: UnsafeMutablePointer<Int32>, rows: Int
}

/// The protobuf bytes of `message`.
func packed<M: ProtoMessage>(_ message: UnsafePointer<M>) -> [UInt8] {
    let base = UnsafeRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self)
    let size = protobuf_c_message_get_packed_size(base)
    guard size > 0 else { return [] }
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        count = protobuf_c_message_pack(base, buffer.baseAddress!)
    }
}

/// An Int as int32, or the error that it does not fit.
func wireInt32(_ value: Int, _ field: String) throws(WireError) -> Int32 {
    guard let result = Int32(exactly: value) else { throw .unrepresentable(field: field, value: "\(value)") }
    return result
}

/// An Int as uint64, or the error that it is negative.
func wireUInt64(_ value: Int, _ field: String) throws(WireError) -> UInt64 {
    guard let result = UInt64(exactly: value) else { throw .unrepresentable(field: field, value: "\(value)") }
    return result
}

/// An Int as uint32, or the error that it does not fit.
func wireUInt32(_ value: Int, _ field: String) throws(WireError) -> UInt32 {
    guard let result = UInt32(exactly: value) else { throw .unrepresentable(field: field, value: "\(value)") }
    return result
}
