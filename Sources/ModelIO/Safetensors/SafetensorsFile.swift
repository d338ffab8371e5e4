import Foundation

#if _endian(big)
#error("safetensors data are little-endian; this reader assumes a little-endian host")
#endif

/// A safetensors file opened read-only through a memory map.
///
/// Opening parses and validates the whole header (see `SafetensorsError` for what is checked); tensor
/// data are read lazily from the map. `F32`, `F16` and `BF16` read as `Float`, `I64` and `I32` as `Int64`.
public final class SafetensorsFile: @unchecked Sendable {
    /// The file.
    public let url: URL
    /// Names of all tensors, sorted.
    public let tensorNames: [String]
    /// The `__metadata__` strings (empty when the file has none).
    public let metadata: [String: String]

    private let mapping: MappedFile
    private let tensors: [String: SafetensorsTensorInfo]
    /// Byte offset of the data section in the file (8 + header length).
    private let dataStart: Int

    /// Maps `url` and validates its header.
    public init(url: URL) throws {
        let path = url.path
        self.url = url
        mapping = try MappedFile(path: path) { SafetensorsError.cannotOpen(file: path, reason: $0) }
        guard mapping.size >= 8, let bytes = mapping.base else {
            throw SafetensorsError.fileTooShort(file: path, size: mapping.size)
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= SafetensorsHeader.maximumHeaderLength else {
            throw SafetensorsError.headerLengthAbsurd(file: path, length: headerLength)
        }
        guard headerLength <= UInt64(mapping.size - 8) else {
            throw SafetensorsError.headerPastEnd(file: path, length: headerLength, fileSize: mapping.size)
        }
        dataStart = 8 + Int(headerLength)
        let json = Data(bytes: bytes + 8, count: Int(headerLength))
        let header = try SafetensorsHeader(json: json, dataSize: mapping.size - dataStart, file: path)
        tensors = header.tensors
        metadata = header.metadata
        tensorNames = header.tensors.keys.sorted()
    }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The dtype and shape of `name`.
    public func info(_ name: String) throws -> (dtype: SafetensorsDType, shape: [Int]) {
        let info = try tensorInfo(name)
        return (info.dtype, info.shape)
    }

    /// The full index entry of `name` (dtype, shape, byte range).
    public func tensorInfo(_ name: String) throws -> SafetensorsTensorInfo {
        guard let info = tensors[name] else { throw SafetensorsError.missingTensor(file: url.path, key: name) }
        return info
    }

    /// The values of `name` as `Float` (F32 copied, F16/BF16 converted).
    public func floats(_ name: String) throws -> [Float] {
        let count = try tensorInfo(name).elementCount
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { try readFloats(name, into: base, count: count) }
            initialized = count
        }
    }

    /// Writes the `count` values of `name` as `Float` to `destination`; `count` must equal the element count.
    public func readFloats(_ name: String, into destination: UnsafeMutablePointer<Float>, count: Int) throws {
        let info = try tensorInfo(name)
        guard info.dtype.readsAsFloat else {
            throw SafetensorsError.unsupportedConversion(file: url.path, key: name, dtype: info.dtype, target: "Float")
        }
        guard count == info.elementCount else {
            throw SafetensorsError.countMismatch(file: url.path, key: name, expected: info.elementCount, found: count)
        }
        guard count > 0 else { return }
        let source = dataPointer(info)
        switch info.dtype {
        case .f32: UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: 4 * count)
        case .f16: HalfPrecision.decodeHalves(source, into: destination, count: count)
        case .bf16: HalfPrecision.decodeBFloat16s(source, into: destination, count: count)
        default: preconditionFailure("readsAsFloat covers exactly F32, F16, BF16")
        }
    }

    /// The values of `name` as `Int64` (I64 copied, I32 widened).
    public func int64s(_ name: String) throws -> [Int64] {
        let info = try tensorInfo(name)
        guard info.dtype.readsAsInteger else {
            throw SafetensorsError.unsupportedConversion(file: url.path, key: name, dtype: info.dtype, target: "Int64")
        }
        let count = info.elementCount
        guard count > 0 else { return [] }
        let source = dataPointer(info)
        if info.dtype == .i64 {
            return (0..<count).map { Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        }
        return (0..<count).map { Int64(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
    }

    /// The raw little-endian bytes of `name`, valid while this file is alive.
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try tensorInfo(name)
        let start = info.dataOffsets.isEmpty ? nil : dataPointer(info)
        return try body(UnsafeRawBufferPointer(start: start, count: info.dataOffsets.count))
    }

    private func dataPointer(_ info: SafetensorsTensorInfo) -> UnsafeRawPointer {
        // Non-empty tensors exist only in a non-empty (hence mapped) file.
        mapping.base! + dataStart + info.dataOffsets.lowerBound
    }
}
