import CZeroMQ

/// A 32-byte CurveZMQ key (public or secret), written as 40 characters of Z85 text.
package struct CurveKey: Hashable, Sendable, CustomStringConvertible {
    /// The key's 32 bytes.
    package let bytes: [UInt8]

    /// A key from its 32 bytes; nil for any other length.
    package init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text; nil if the text is not that.
    package init?(z85 text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 40, utf8.allSatisfy(Self.isZ85) else { return nil }
        var decoded = [UInt8](repeating: 0, count: 32)
        let ok = (utf8 + [0]).withUnsafeBufferPointer { source in
            decoded.withUnsafeMutableBufferPointer { dest in
                zmq_z85_decode(dest.baseAddress, UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self)) != nil
            }
        }
        guard ok else { return nil }
        bytes = decoded
    }

    /// The key as 40 characters of Z85 text.
    package var z85: String {
        var text = [CChar](repeating: 0, count: 41)
        _ = bytes.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, 32) }
        return String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The Z85 text. Never print a secret key: this is for public keys and files.
    package var description: String { z85 }

    private static func isZ85(_ c: UInt8) -> Bool {
        // 0-9 a-z A-Z . - : + = ^ ! / * ? & < > ( ) [ ] { } @ % $ #
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"), UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "A") ... UInt8(ascii: "Z"):
            true
        default:
            Array(".-:+=^!/*?&<>()[]{}@%$#".utf8).contains(c)
        }
    }
}

/// A CurveZMQ key pair: the public key others are given, and the secret key that never leaves its owner.
package struct CurveKeyPair: Sendable, Equatable {
    /// The key peers use to know this side.
    package let publicKey: CurveKey
    /// The key only this side holds.
    package let secretKey: CurveKey

    /// A pair from its two keys.
    package init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A new random key pair (libsodium through `zmq_curve_keypair`).
    /// Throws `ZMQError.curveUnavailable` where this libzmq has no CURVE.
    package static func generate() throws(ZMQError) -> CurveKeyPair {
        try ZMQContext.requireCurve()
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw ZMQError.last("curve_keypair") }
        func key(_ text: [CChar]) -> CurveKey {
            CurveKey(z85: String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))!
        }
        return CurveKeyPair(publicKey: key(publicText), secretKey: key(secretText))
    }
}
