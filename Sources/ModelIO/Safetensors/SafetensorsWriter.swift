import Foundation
import Storage

/// Collects tensors and writes them as one safetensors file, atomically.
///
/// The header carries `__metadata__ {"format":"pt"}` and is padded with spaces to a multiple of 8 bytes;
/// tensors are laid out widest dtype first, then by name (the reference implementation's order), so every
/// tensor starts aligned to its element size. Float tensors can be stored as F32, F16 or BF16 (rounded to
/// nearest even); integer tensors as I64.
public struct SafetensorsWriter {
    /// Fills a float tensor's values, row-major, into the buffer it is given.
    public typealias FloatFiller = (UnsafeMutableBufferPointer<Float>) -> Void

    private enum Payload {
        case floats(FloatFiller)
        case int64s([Int64])
    }

    private struct Entry {
        let name: String
        let dtype: SafetensorsDType
        let shape: [Int]
        let payload: Payload
        var byteCount: Int { shape.reduce(1, *) * dtype.byteSize }
    }

    private var entries: [Entry] = []
    private var problems: [(key: String, reason: String)] = []

    /// Metadata written under `__metadata__`.
    public var metadata: [String: String] = ["format": "pt"]

    /// An empty writer.
    public init() {}

    /// Adds a float tensor with values given as an array (`values.count` must equal the shape's size).
    public mutating func addFloats(_ name: String, shape: [Int], values: [Float], as dtype: SafetensorsDType = .f32) {
        let count = shape.reduce(1, *)
        if values.count != count { problems.append((name, "\(values.count) values for shape \(shape)")); return }
        addFloats(name, shape: shape, as: dtype) { buffer in
            _ = buffer.initialize(from: values)
        }
    }

    /// Adds a float tensor whose values `fill` writes when the file is written (no copy is kept meanwhile).
    public mutating func addFloats(_ name: String, shape: [Int], as dtype: SafetensorsDType = .f32,
                                   fill: @escaping FloatFiller) {
        guard dtype == .f32 || dtype == .f16 || dtype == .bf16 else {
            problems.append((name, "float tensors are written as F32, F16 or BF16, not \(dtype.rawValue)")); return
        }
        add(Entry(name: name, dtype: dtype, shape: shape, payload: .floats(fill)))
    }

    /// Adds an I64 tensor (`values.count` must equal the shape's size).
    public mutating func addInt64s(_ name: String, shape: [Int], values: [Int64]) {
        if values.count != shape.reduce(1, *) { problems.append((name, "\(values.count) values for shape \(shape)")); return }
        add(Entry(name: name, dtype: .i64, shape: shape, payload: .int64s(values)))
    }

    private mutating func add(_ entry: Entry) {
        if entry.shape.contains(where: { $0 < 0 }) { problems.append((entry.name, "negative dimension in \(entry.shape)")); return }
        if entry.name == SafetensorsHeader.metadataKey { problems.append((entry.name, "reserved name")); return }
        if entries.contains(where: { $0.name == entry.name }) { problems.append((entry.name, "added twice")); return }
        entries.append(entry)
    }

    /// Writes the file to a temporary name beside `url`, then renames it over `url`; on any error nothing
    /// is left at `url` that was not there before.
    public func write(to url: URL) throws {
        let path = url.path
        if let problem = problems.first { throw SafetensorsError.invalidTensor(file: path, key: problem.key, reason: problem.reason) }
        let ordered = entries.sorted { ($0.dtype.byteSize, $1.name) > ($1.dtype.byteSize, $0.name) }
        let header = try headerBytes(for: ordered, file: path)
        do {
            try StagedWrite.file(url) { handle in
                var length = UInt64(header.count).littleEndian
                try handle.write(contentsOf: Data(bytes: &length, count: 8))
                try handle.write(contentsOf: header)
                for entry in ordered { try handle.write(contentsOf: Self.encode(entry)) }
            }
        } catch let error as StagedWriteError {
            throw SafetensorsError.writeFailed(file: path, reason: error.reason)
        }
    }

    /// The JSON header, padded with spaces so that 8 + its length is a multiple of 8.
    private func headerBytes(for ordered: [Entry], file: String) throws -> Data {
        var object: [String: Any] = [SafetensorsHeader.metadataKey: metadata]
        var offset = 0
        for entry in ordered {
            object[entry.name] = ["dtype": entry.dtype.rawValue, "shape": entry.shape,
                                  "data_offsets": [offset, offset + entry.byteCount]] as [String: Any]
            offset += entry.byteCount
        }
        var json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw SafetensorsError.writeFailed(file: file, reason: "cannot encode header: \(error)")
        }
        let padding = (8 - json.count % 8) % 8
        json.append(contentsOf: [UInt8](repeating: 0x20, count: padding))
        return json
    }

    /// The tensor's little-endian bytes.
    private static func encode(_ entry: Entry) -> Data {
        switch entry.payload {
        case let .int64s(values):
            return values.withUnsafeBytes { Data($0) }
        case let .floats(fill):
            let count = entry.shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBufferPointer { fill($0) }
            switch entry.dtype {
            case .f16: return values.map { HalfPrecision.halfBits(from: $0) }.withUnsafeBytes { Data($0) }
            case .bf16: return values.map { HalfPrecision.bfloat16Bits(from: $0) }.withUnsafeBytes { Data($0) }
            default: return values.withUnsafeBytes { Data($0) }
            }
        }
    }
}
