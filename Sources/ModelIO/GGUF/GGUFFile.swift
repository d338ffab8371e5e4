import Foundation
import Tensor

/// A GGUF (v2 or v3) file, memory-mapped: its metadata, its tensor index, and access to tensor data.
///
/// Opening reads only the header, metadata and tensor index, and checks that every tensor's data lies
/// inside the file; tensor bytes are read when they are dequantized.
public final class GGUFFile: @unchecked Sendable {
    /// The file's path, as given (every error names it).
    public let path: String
    /// GGUF version (2 or 3).
    public let version: UInt32
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Metadata values by key.
    package let metadata: [String: GGUFMetadataValue]
    /// Tensor index in file order.
    package let tensors: [GGUFTensorInfo]
    /// Alignment of the data section and of each tensor (`general.alignment`, default 32).
    public let alignment: Int
    /// Byte offset of the data section from the start of the file.
    public let dataOffset: Int
    /// The mapped bytes.
    let mapping: MappedFile
    private let tensorIndexByName: [String: Int]

    /// ggml's maximum number of tensor dimensions.
    static let maximumDimensions = 4

    /// Opens and indexes the GGUF file at `url`.
    public convenience init(url: URL) throws { try self.init(path: url.path) }

    /// Opens and indexes the GGUF file at `path`.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path) { GGUFError.cannotOpen(file: path, reason: $0) }
        var reader = GGUFByteReader(bytes: mapping.bytes, file: path)

        // header: magic, version, tensor count, metadata count
        try reader.require(4, for: "magic")
        let magic = Array(mapping.bytes[0..<4])
        guard magic == Array("GGUF".utf8) else { throw GGUFError.badMagic(file: path, found: magic) }
        try reader.seek(to: 4, "magic")
        version = try reader.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(file: path, version: version) }
        let tensorCount = try reader.readCount("tensor count")
        let metadataCount = try reader.readCount("metadata count")

        // metadata
        var keys: [String] = [], values: [String: GGUFMetadataValue] = [:]
        for index in 0..<metadataCount {
            let key = try reader.readString("key of metadata entry \(index)")
            let typeID = try reader.read(UInt32.self, "type of '\(key)'")
            let value = try GGUFMetadataParser.readValue(typeID: typeID, key: key, reader: &reader)
            guard values.updateValue(value, forKey: key) == nil else { throw GGUFError.duplicate(file: path, name: key) }
            keys.append(key)
        }
        metadataKeys = keys
        metadata = values
        alignment = try Self.alignment(in: values, file: path)

        // tensor index
        var infos: [GGUFTensorInfo] = [], indexByName: [String: Int] = [:]
        for index in 0..<tensorCount {
            let info = try Self.readTensorInfo(&reader, index: index, file: path)
            guard indexByName.updateValue(infos.count, forKey: info.name) == nil else {
                throw GGUFError.duplicate(file: path, name: info.name)
            }
            infos.append(info)
        }
        tensors = infos
        tensorIndexByName = indexByName
        let (aligned, overflow) = reader.offset.addingReportingOverflow(alignment - 1)
        dataOffset = overflow ? Int.max : aligned / alignment * alignment

        // every tensor's bytes must lie inside the file
        for info in infos {
            guard info.offset % alignment == 0 else {
                throw GGUFError.invalidTensorInfo(file: path, tensor: info.name,
                                                  reason: "data offset \(info.offset) is not a multiple of the alignment \(alignment)")
            }
            let (start, overflowStart) = dataOffset.addingReportingOverflow(info.offset)
            if overflowStart || start > mapping.size || info.byteCount > mapping.size - start {
                throw GGUFError.truncated(file: path, what: "data of tensor '\(info.name)'", offset: start,
                                          needed: info.byteCount, fileSize: mapping.size)
            }
        }
    }

    /// Reads one tensor index entry: name, n_dims, ne[n_dims], type id, offset.
    private static func readTensorInfo(_ reader: inout GGUFByteReader, index: Int, file: String) throws -> GGUFTensorInfo {
        let name = try reader.readString("name of tensor \(index)")
        let dimensionCount = Int(try reader.read(UInt32.self, "dimension count of tensor '\(name)'"))
        guard (1...maximumDimensions).contains(dimensionCount) else {
            throw GGUFError.invalidTensorInfo(file: file, tensor: name,
                                              reason: "\(dimensionCount) dimensions (ggml allows 1 to \(maximumDimensions))")
        }
        var dimensions: [Int] = [], elements = 1
        for _ in 0..<dimensionCount {
            let raw = try reader.read(UInt64.self, "dimensions of tensor '\(name)'")
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(exactly: raw) ?? Int.max)
            guard let extent = Int(exactly: raw), !overflow, product <= Int.max / 8 else {
                throw GGUFError.invalidTensorInfo(file: file, tensor: name, reason: "dimension \(raw) is too large")
            }
            dimensions.append(extent)
            elements = product
        }
        let typeID = try reader.read(UInt32.self, "type of tensor '\(name)'")
        guard let type = GGUFTensorType(rawValue: typeID) else {
            throw GGUFError.unknownTensorType(file: file, tensor: name, typeID: typeID)
        }
        let offset = try reader.readCount("data offset of tensor '\(name)'")
        guard dimensions[0] % type.blockLayout.elements == 0 else {
            throw GGUFError.invalidTensorInfo(file: file, tensor: name,
                                              reason: "row length \(dimensions[0]) is not a multiple of the \(type.name) block size \(type.blockLayout.elements)")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: offset)
    }

    /// `general.alignment`: a power of two if present, else 32.
    private static func alignment(in metadata: [String: GGUFMetadataValue], file: String) throws -> Int {
        guard let value = metadata["general.alignment"] else { return 32 }
        guard case let .uint32(raw) = value else {
            throw GGUFError.wrongValueType(file: file, key: "general.alignment", expected: "uint32", found: value.typeDescription)
        }
        guard raw > 0, raw & (raw - 1) == 0 else {
            throw GGUFError.invalidMetadata(file: file, key: "general.alignment", reason: "\(raw) is not a power of two")
        }
        return Int(raw)
    }

    /// The index entry of tensor `name`, if present.
    package func tensor(named name: String) -> GGUFTensorInfo? { tensorIndexByName[name].map { tensors[$0] } }

    /// The raw bytes of `tensor` (valid while this file is alive).
    package func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping.bytes[(dataOffset + tensor.offset)...].prefix(tensor.byteCount))
    }

    /// Dequantizes `tensor` into `destination` (room for `elementCount` floats, row-major), in parallel
    /// over rows; source row r goes to row `destinationRow(r)`.
    package func dequantize(_ tensor: GGUFTensorInfo, into destination: FloatPointer,
                           destinationRow: (Int) -> Int = { $0 }) throws {
        guard tensor.type.canDequantize else {
            throw GGUFError.unsupportedTensorType(file: path, tensor: tensor.name, type: tensor.type.name)
        }
        guard let source = data(of: tensor).baseAddress else { return }
        GGUFDequantizer.dequantizeRows(tensor.type, from: source, rows: tensor.rowCount, rowLength: tensor.rowLength,
                                       rowBytes: tensor.rowBytes, into: destination, destinationRow: destinationRow)
    }

    /// Dequantizes tensor `name` into a new row-major array.
    public func dequantize(_ name: String) throws -> [Float] {
        guard let tensor = tensor(named: name) else { throw GGUFError.missingTensor(file: path, tensor: name) }
        return try [Float](unsafeUninitializedCapacity: tensor.elementCount) { buffer, count in
            if let base = buffer.baseAddress { try dequantize(tensor, into: base) }
            count = tensor.elementCount
        }
    }
}
