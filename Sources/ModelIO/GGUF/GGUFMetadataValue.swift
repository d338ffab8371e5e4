/// The value types of GGUF metadata, with their ids in the file.
package enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12
}

/// One GGUF metadata value; arrays may hold any type, including further arrays.
package indirect enum GGUFMetadataValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    /// An array whose elements all have type `elementType`.
    case array(elementType: GGUFValueType, values: [GGUFMetadataValue])

    /// The value's type.
    package var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// Any integer value as `Int` (nil for other types or values that do not fit).
    package var intValue: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// A float or integer value as `Double`.
    package var doubleValue: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return intValue.map(Double.init)
        }
    }

    /// A string value.
    package var stringValue: String? { if case let .string(s) = self { return s } else { return nil } }

    /// A bool value.
    package var boolValue: Bool? { if case let .bool(b) = self { return b } else { return nil } }

    /// The elements of an array value.
    package var arrayValue: [GGUFMetadataValue]? {
        if case let .array(_, values) = self { return values } else { return nil }
    }

    /// A short description of the type for error messages, e.g. `array of string`.
    package var typeDescription: String {
        if case let .array(elementType, _) = self { return "array of \(elementType)" }
        return "\(type)"
    }
}
