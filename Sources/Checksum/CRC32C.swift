import CKernelSupport

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): TFRecord framing's checksum ("masked") and
/// the per-tensor checksum of weight streams. Computed with the CPU's crc32 instruction when it has one
/// (several GB/s), else with a table; both give the same value.
package enum CRC32C {
    /// The CRC-32C of `bytes`, continuing from `crc` (0 to start).
    package static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        rlhf_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// The CRC-32C of `bytes`.
    package static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) { return crc }
        return Array(bytes).withUnsafeBytes { checksum($0) }
    }

    /// TFRecord's masked CRC: rotate right by 15 bits and add 0xa282ead8.
    package static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
