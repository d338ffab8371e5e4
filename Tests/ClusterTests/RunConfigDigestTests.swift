import ClusterTransport
import XCTest

/// The WELCOME's config digest is SHA-256 over the length-prefixed config text and overrides, as an
/// independent implementation computes it:
///
///     python3 -c "import hashlib,struct; h=hashlib.sha256()
///     for p in ['seed: 7\n','iterations=2']: b=p.encode(); h.update(struct.pack('>Q',len(b))); h.update(b)
///     print(h.hexdigest())"
final class RunConfigDigestTests: XCTestCase {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func testTheDigestIsSHA256OfTheLengthPrefixedParts() {
        XCTAssertEqual(Self.hex(RunConfigDigest.of(text: "seed: 7\n", overrides: ["iterations=2"])),
                       "062c12b94c1cbee42997ae14a27a9f3a2026eccddbe653bae1d29641d582dda3")
        XCTAssertEqual(Self.hex(RunConfigDigest.of(text: "a", overrides: [])),
                       "3b196fd4907bedf51c3090e9835f2f7cb61e7ee1b2299ea3b8fed9b4183a822a")
    }

    func testNoTwoSplitsOfTheSameBytesShareADigest() {
        let joined = RunConfigDigest.of(text: "seed: 7\niterations=2", overrides: [])
        XCTAssertNotEqual(joined, RunConfigDigest.of(text: "seed: 7\n", overrides: ["iterations=2"]))
        XCTAssertNotEqual(RunConfigDigest.of(text: "a", overrides: ["b", "c"]), RunConfigDigest.of(text: "a", overrides: ["bc"]))
        XCTAssertTrue(RunConfigDigest.matches(joined, text: "seed: 7\niterations=2", overrides: []))
        XCTAssertFalse(RunConfigDigest.matches(joined, text: "seed: 8\niterations=2", overrides: []))
    }
}
