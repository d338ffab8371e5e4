import Foundation

/// A metadata value for synthetic test files, encoded by the GGUF specification (independent of the reader).
enum GGUFTestValue {
    case u8(UInt8), i8(Int8), u16(UInt16), i16(Int16), u32(UInt32), i32(Int32), f32(Float), bool(Bool)
    case string(String), u64(UInt64), i64(Int64), f64(Double)
    /// An array with an explicit element type id (so tests can also write bad ids).
    case array(elementTypeID: UInt32, [GGUFTestValue])
    /// A value with a raw type id and raw payload bytes (for unknown type ids).
    case raw(typeID: UInt32, payload: [UInt8])

    var typeID: UInt32 {
        switch self {
        case .u8: return 0
        case .i8: return 1
        case .u16: return 2
        case .i16: return 3
        case .u32: return 4
        case .i32: return 5
        case .f32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .u64: return 10
        case .i64: return 11
        case .f64: return 12
        case let .raw(id, _): return id
        }
    }

    /// The payload bytes (without the type id).
    func encode(into out: inout [UInt8]) {
        switch self {
        case let .u8(v): out.append(v)
        case let .i8(v): out.append(UInt8(bitPattern: v))
        case let .u16(v): out.appendGGUFInteger(v)
        case let .i16(v): out.appendGGUFInteger(v)
        case let .u32(v): out.appendGGUFInteger(v)
        case let .i32(v): out.appendGGUFInteger(v)
        case let .f32(v): out.appendGGUFInteger(v.bitPattern)
        case let .bool(v): out.append(v ? 1 : 0)
        case let .string(s): out.appendGGUFString(s)
        case let .u64(v): out.appendGGUFInteger(v)
        case let .i64(v): out.appendGGUFInteger(v)
        case let .f64(v): out.appendGGUFInteger(v.bitPattern)
        case let .array(elementTypeID, values):
            out.appendGGUFInteger(elementTypeID)
            out.appendGGUFInteger(UInt64(values.count))
            for v in values { v.encode(into: &out) }
        case let .raw(_, payload): out += payload
        }
    }
}

/// One tensor of a synthetic test file: ggml `ne[]` (fastest first), type id and raw data bytes.
struct GGUFTestTensor {
    var name: String
    var dimensions: [UInt64]
    var typeID: UInt32
    var data: [UInt8]

    /// An F32 tensor with row-major `shape` (written as ne = shape reversed).
    static func f32(_ name: String, shape: [Int], values: [Float]) -> GGUFTestTensor {
        precondition(values.count == shape.reduce(1, *))
        var data: [UInt8] = []
        for v in values { data.appendGGUFInteger(v.bitPattern) }
        return GGUFTestTensor(name: name, dimensions: shape.reversed().map(UInt64.init), typeID: 0, data: data)
    }
}

/// Writes GGUF files byte by byte from the specification: magic, version, counts, key/value pairs,
/// tensor infos, padding to the alignment, then each tensor's data at an aligned offset.
struct GGUFTestWriter {
    var magic: [UInt8] = Array("GGUF".utf8)
    var version: UInt32 = 3
    var alignment = 32
    var metadata: [(String, GGUFTestValue)] = []
    var tensors: [GGUFTestTensor] = []

    func bytes() -> [UInt8] {
        var out = magic
        out.appendGGUFInteger(version)
        out.appendGGUFInteger(UInt64(tensors.count))
        out.appendGGUFInteger(UInt64(metadata.count))
        for (key, value) in metadata {
            out.appendGGUFString(key)
            out.appendGGUFInteger(value.typeID)
            value.encode(into: &out)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset = (offset + t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, tensorOffset) in zip(tensors, offsets) {
            out.appendGGUFString(t.name)
            out.appendGGUFInteger(UInt32(t.dimensions.count))
            for d in t.dimensions { out.appendGGUFInteger(d) }
            out.appendGGUFInteger(t.typeID)
            out.appendGGUFInteger(UInt64(tensorOffset))
        }
        let dataStart = (out.count + alignment - 1) / alignment * alignment
        out += [UInt8](repeating: 0, count: dataStart - out.count)
        for (t, tensorOffset) in zip(tensors, offsets) {
            out += [UInt8](repeating: 0, count: dataStart + tensorOffset - out.count)
            out += t.data
        }
        return out
    }

    /// Writes the file into a fresh temporary directory and returns its URL.
    func write(named name: String = "test.gguf") throws -> URL {
        try GGUFTestFiles.write(bytes(), named: name)
    }
}

/// Temporary files for tests.
enum GGUFTestFiles {
    /// Writes `bytes` to a new file in a fresh temporary directory.
    static func write(_ bytes: [UInt8], named name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Copies the first `count` bytes of `source` into a new temporary file.
    static func prefix(of source: URL, count: Int, named name: String) throws -> URL {
        let handle = try FileHandle(forReadingFrom: source)
        defer { try? handle.close() }
        let data = try handle.read(upToCount: count) ?? Data()
        return try write([UInt8](data), named: name)
    }
}

extension Array where Element == UInt8 {
    mutating func appendGGUFInteger<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendGGUFString(_ s: String) {
        appendGGUFInteger(UInt64(s.utf8.count))
        append(contentsOf: s.utf8)
    }
}
