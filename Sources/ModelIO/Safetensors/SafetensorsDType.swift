/// An element type named in a safetensors header (the spec's upper-case names: `F32`, `BF16`, `I64`, ...).
///
/// Every type of the format is recognised so that any valid file opens; `F32`, `F16` and `BF16` read as
/// `Float`, `I64` and `I32` read as integers.
public enum SafetensorsDType: String, Sendable, CaseIterable, Equatable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// Whether `SafetensorsFile.floats` converts this type to `Float`.
    public var readsAsFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }

    /// Whether `SafetensorsFile.int64s` reads this type.
    public var readsAsInteger: Bool { self == .i64 || self == .i32 }
}
