/// Reads GGUF metadata values (all thirteen types, arrays nested to any sane depth).
enum GGUFMetadataParser {
    /// Deepest array nesting accepted (real files use 1; a corrupt file must not exhaust the stack).
    static let maximumNesting = 8

    /// Reads a value of type id `typeID` for `key`.
    static func readValue(typeID: UInt32, key: String, reader: inout GGUFByteReader,
                          depth: Int = 0) throws -> GGUFMetadataValue {
        guard let type = GGUFValueType(rawValue: typeID) else {
            throw GGUFError.unknownValueType(file: reader.file, key: key, typeID: typeID)
        }
        let what = { "value of '\(key)'" }  // built only for an error message
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, what()))
        case .int8: return .int8(try reader.read(Int8.self, what()))
        case .uint16: return .uint16(try reader.read(UInt16.self, what()))
        case .int16: return .int16(try reader.read(Int16.self, what()))
        case .uint32: return .uint32(try reader.read(UInt32.self, what()))
        case .int32: return .int32(try reader.read(Int32.self, what()))
        case .uint64: return .uint64(try reader.read(UInt64.self, what()))
        case .int64: return .int64(try reader.read(Int64.self, what()))
        case .float32: return .float32(Float(bitPattern: try reader.read(UInt32.self, what())))
        case .float64: return .float64(Double(bitPattern: try reader.read(UInt64.self, what())))
        case .bool:
            let byte = try reader.read(UInt8.self, what())
            guard byte <= 1 else {
                throw GGUFError.invalidMetadata(file: reader.file, key: key, reason: "bool byte \(byte) is neither 0 nor 1")
            }
            return .bool(byte == 1)
        case .string: return .string(try reader.readString(what()))
        case .array:
            guard depth < maximumNesting else {
                throw GGUFError.invalidMetadata(file: reader.file, key: key,
                                                reason: "arrays nested deeper than \(maximumNesting)")
            }
            let elementTypeID = try reader.read(UInt32.self, "array type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: elementTypeID) else {
                throw GGUFError.unknownValueType(file: reader.file, key: key, typeID: elementTypeID)
            }
            let count = try reader.readCount("array length of '\(key)'")
            // every element takes at least one byte: a count beyond the remaining bytes is a truncation
            try reader.require(count, for: "\(count) array elements of '\(key)'")
            var values: [GGUFMetadataValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                values.append(try readValue(typeID: elementTypeID, key: key, reader: &reader, depth: depth + 1))
            }
            return .array(elementType: elementType, values: values)
        }
    }
}
