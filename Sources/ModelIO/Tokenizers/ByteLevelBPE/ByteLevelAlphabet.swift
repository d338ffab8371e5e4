/// GPT-2's byte-level alphabet (`bytes_to_unicode`): each of the 256 byte values spelled as one printable
/// Unicode scalar, so that byte strings can be vocabulary strings. Printable Latin-1 bytes stand for
/// themselves; the others map to U+0100 onwards in byte order (space is `Ġ`, newline `Ċ`).
enum ByteLevelAlphabet {
    /// The scalar spelling each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a scalar spells, or -1 for scalars outside the alphabet (indexed by scalar value < 324).
    private static let byteForScalarValue: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarForByte.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The byte `scalar` spells, or nil when it is not in the alphabet.
    @inline(__always)
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < byteForScalarValue.count else { return nil }
        let byte = byteForScalarValue[value]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// `bytes` spelled in the alphabet.
    static func spell<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalarForByte[Int(byte)]) }
        return String(text)
    }

    /// The bytes a token spells: alphabet scalars to their bytes, or the token's own UTF-8 when any
    /// scalar is outside the alphabet (as Hugging Face's ByteLevel decoder does per token).
    static func bytes(ofToken token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(for: scalar) else { return Array(token.utf8) }
            bytes.append(byte)
        }
        return bytes
    }

    /// Whether every scalar of `token` is in the alphabet.
    static func isSpelledInAlphabet(_ token: String) -> Bool {
        token.unicodeScalars.allSatisfy { byte(for: $0) != nil }
    }
}
