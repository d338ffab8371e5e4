import Foundation

/// The parsed and validated JSON header of a safetensors file.
///
/// Validation follows the reference implementation: every entry has a known dtype, a shape of
/// non-negative integers and `data_offsets` spanning exactly shape × dtype-size bytes; the tensors
/// tile the data section back to back from byte 0 to its end.
struct SafetensorsHeader {
    /// Tensors by name.
    let tensors: [String: SafetensorsTensorInfo]
    /// The optional `__metadata__` string map.
    let metadata: [String: String]

    /// The reference implementation's limit on the header length.
    static let maximumHeaderLength: UInt64 = 100_000_000
    /// Key of the metadata entry.
    static let metadataKey = "__metadata__"

    /// Parses `json` (the header bytes) for `file`, whose data section holds `dataSize` bytes.
    init(json: Data, dataSize: Int, file: String) throws {
        let root: CheckpointJSON
        do { root = try CheckpointJSON.parse(json) } catch let error as CheckpointJSONError {
            throw SafetensorsError.headerNotJSON(file: file, reason: error.message)
        }
        guard let entries = root.objectValue else {
            throw SafetensorsError.malformedHeader(file: file, key: "", reason: "the header is \(root.shortDescription), not a JSON object")
        }
        var tensors: [String: SafetensorsTensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (key, entry) in entries {
            if key == Self.metadataKey {
                metadata = try Self.parseMetadata(entry, file: file)
            } else {
                tensors[key] = try Self.parseTensor(entry, key: key, file: file)
            }
        }
        try Self.checkTiling(tensors, dataSize: dataSize, file: file)
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func parseMetadata(_ entry: CheckpointJSON, file: String) throws -> [String: String] {
        guard let object = entry.objectValue else {
            throw SafetensorsError.malformedHeader(file: file, key: metadataKey, reason: "must be an object of strings")
        }
        var metadata: [String: String] = [:]
        for (name, value) in object {
            guard let text = value.stringValue else {
                throw SafetensorsError.malformedHeader(file: file, key: metadataKey,
                                                       reason: "value of '\(name)' is \(value.shortDescription), not a string")
            }
            metadata[name] = text
        }
        return metadata
    }

    private static func parseTensor(_ entry: CheckpointJSON, key: String, file: String) throws -> SafetensorsTensorInfo {
        func malformed(_ reason: String) -> SafetensorsError { .malformedHeader(file: file, key: key, reason: reason) }
        guard let fields = entry.objectValue else { throw malformed("is \(entry.shortDescription), not an object") }
        let allowed: Set<String> = ["dtype", "shape", "data_offsets"]
        if let extra = fields.keys.sorted().first(where: { !allowed.contains($0) }) { throw malformed("unknown field '\(extra)'") }
        guard let dtypeName = fields["dtype"]?.stringValue else { throw malformed("missing or non-string 'dtype'") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw SafetensorsError.unknownDType(file: file, key: key, dtype: dtypeName)
        }
        guard let shapeValues = fields["shape"]?.arrayValue else { throw malformed("missing or non-array 'shape'") }
        let shape = shapeValues.compactMap { $0.intValue }.filter { $0 >= 0 }
        guard shape.count == shapeValues.count else { throw malformed("'shape' must hold non-negative integers") }
        guard let offsetValues = fields["data_offsets"]?.arrayValue, offsetValues.count == 2,
              let begin = offsetValues[0].intValue, let end = offsetValues[1].intValue, begin >= 0, end >= begin else {
            throw malformed("'data_offsets' must be [begin, end] with 0 <= begin <= end")
        }
        var byteCount = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            if overflow { throw malformed("shape \(shape) is too large") }
            byteCount = product
        }
        guard end - begin == byteCount else {
            throw SafetensorsError.offsetsMismatch(file: file, key: key, expectedBytes: byteCount, foundBytes: end - begin)
        }
        return SafetensorsTensorInfo(dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Tensors sorted by offset must start where the previous one ended and end at the data section's end.
    private static func checkTiling(_ tensors: [String: SafetensorsTensorInfo], dataSize: Int, file: String) throws {
        let ordered = tensors.sorted {
            ($0.value.dataOffsets.lowerBound, $0.value.dataOffsets.upperBound, $0.key)
                < ($1.value.dataOffsets.lowerBound, $1.value.dataOffsets.upperBound, $1.key)
        }
        var expectedBegin = 0
        for (key, info) in ordered {
            guard info.dataOffsets.lowerBound == expectedBegin else {
                throw SafetensorsError.offsetsNotContiguous(file: file, key: key, expectedBegin: expectedBegin,
                                                            foundBegin: info.dataOffsets.lowerBound)
            }
            guard info.dataOffsets.upperBound <= dataSize else {
                throw SafetensorsError.truncated(file: file, key: key, end: info.dataOffsets.upperBound, dataSize: dataSize)
            }
            expectedBegin = info.dataOffsets.upperBound
        }
        if expectedBegin < dataSize { throw SafetensorsError.trailingBytes(file: file, count: dataSize - expectedBegin) }
    }
}
