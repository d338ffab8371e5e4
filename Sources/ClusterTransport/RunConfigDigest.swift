import Crypto

/// The SHA-256 digest of a run config as the learner's `WELCOME` carries it: the config's text and its
/// `--set` overrides, each length-prefixed so no two different pairs give the same bytes. A worker
/// checks the text it was sent against it before it builds its role, and a learner that welcomes it
/// again with another digest runs another run.
package enum RunConfigDigest {
    /// The 32-byte digest of `text` with `overrides`.
    package static func of(text: String, overrides: [String]) -> [UInt8] {
        var hasher = SHA256()
        for part in [text] + overrides {
            let bytes = Array(part.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
        }
        return Array(hasher.finalize())
    }

    /// Whether `digest` is the digest of `text` with `overrides`.
    package static func matches(_ digest: [UInt8], text: String, overrides: [String]) -> Bool {
        digest == of(text: text, overrides: overrides)
    }
}
