/// The few protobuf wire-format writes a TensorBoard `Event` needs: varints, fixed 32/64-bit numbers and
/// length-delimited fields, appended to a byte array.
struct ProtobufEncoding {
    private(set) var bytes: [UInt8] = []

    /// A varint (wire type 0) value.
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    /// The key of field `number` with `wireType`.
    mutating func key(_ number: Int, wireType: UInt64) { varint(UInt64(number) << 3 | wireType) }

    /// A `double` field (wire type 1).
    mutating func double(_ number: Int, _ value: Double) {
        key(number, wireType: 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `float` field (wire type 5).
    mutating func float(_ number: Int, _ value: Float) {
        key(number, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `int64` field (wire type 0; negative numbers as their two's complement).
    mutating func int64(_ number: Int, _ value: Int64) {
        key(number, wireType: 0)
        varint(UInt64(bitPattern: value))
    }

    /// A `string`, `bytes` or embedded-message field (wire type 2).
    mutating func lengthDelimited(_ number: Int, _ payload: [UInt8]) {
        key(number, wireType: 2)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }
}
