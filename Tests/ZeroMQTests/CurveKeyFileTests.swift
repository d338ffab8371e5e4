import Foundation
import XCTest
@testable import ZeroMQ

/// Key files: written private, read back exactly, refused when others may read a secret.
final class CurveKeyFileTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        // the cluster needs CURVE: a libzmq without it (built without libsodium) is a failure, not a skip
        XCTAssertTrue(ZMQContext.hasCurve, "this libzmq has no CURVE: install Debian's libzmq3-dev")
        folder = NSTemporaryDirectory() + "zmq-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func testPairAndPublicKeyRoundTrip() throws {
        let pair = try CurveKeyPair.generate()
        let secretPath = folder + "/learner.key", publicPath = folder + "/learner.pub"
        let oldMask = umask(0)  // the written mode must not depend on the umask
        defer { umask(oldMask) }
        try CurveKeyFile.write(pair, to: secretPath)
        try CurveKeyFile.writePublic(pair.publicKey, to: publicPath)
        XCTAssertEqual(try mode(secretPath), 0o600)
        XCTAssertEqual(try mode(publicPath), 0o644)
        XCTAssertEqual(try CurveKeyFile.readPair(from: secretPath), pair)
        XCTAssertEqual(try CurveKeyFile.readPublicKey(from: publicPath), pair.publicKey)
        XCTAssertEqual(try CurveKeyFile.readPublicKey(from: secretPath), pair.publicKey)
        let publicText = try String(contentsOfFile: publicPath, encoding: .utf8)
        XCTAssertFalse(publicText.contains(pair.secretKey.z85))
        XCTAssertTrue(publicText.contains("public-key = \"\(pair.publicKey.z85)\""))
        // Writing again replaces the file, still 0600.
        let other = try CurveKeyPair.generate()
        try CurveKeyFile.write(other, to: secretPath)
        XCTAssertEqual(try CurveKeyFile.readPair(from: secretPath), other)
        XCTAssertEqual(try mode(secretPath), 0o600)
    }

    func testSecretReadableByOthersIsRefused() throws {
        let path = folder + "/worker.key"
        try CurveKeyFile.write(try CurveKeyPair.generate(), to: path)
        for bits in [0o640, 0o604, 0o660, 0o644] {
            XCTAssertEqual(chmod(path, mode_t(bits)), 0)
            XCTAssertThrowsError(try CurveKeyFile.readPair(from: path)) { error in
                XCTAssertEqual(error as? CurveKeyFileError, .readableByOthers(path: path, mode: UInt32(bits)))
                XCTAssertEqual("\(error)", "key file \(path) holds a secret key but has mode \(String(bits, radix: 8)); run chmod 600 \(path)")
            }
            XCTAssertThrowsError(try CurveKeyFile.readPublicKey(from: path))
        }
        XCTAssertEqual(chmod(path, 0o400), 0)
        XCTAssertNoThrow(try CurveKeyFile.readPair(from: path))
    }

    func testBrokenFilesAreTypedErrors() throws {
        let missing = folder + "/none.key"
        XCTAssertThrowsError(try CurveKeyFile.readPair(from: missing)) {
            XCTAssertEqual($0 as? CurveKeyFileError, .unreadable(path: missing, errno: ENOENT))
        }
        let bad = folder + "/bad.key"
        try "curve\n    public-key = \"not z85\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CurveKeyFile.readPublicKey(from: bad)) {
            XCTAssertEqual($0 as? CurveKeyFileError, .malformed(path: bad, line: 2, reason: "public-key is not 40 characters of Z85"))
        }
        let publicOnly = folder + "/only.pub"
        try CurveKeyFile.writePublic(try CurveKeyPair.generate().publicKey, to: publicOnly)
        XCTAssertThrowsError(try CurveKeyFile.readPair(from: publicOnly)) {
            XCTAssertEqual($0 as? CurveKeyFileError, .missingKey(path: publicOnly, name: "secret-key"))
        }
        XCTAssertThrowsError(try CurveKeyFile.write(try CurveKeyPair.generate(), to: folder + "/no/such/dir.key")) {
            guard case .unwritable = $0 as? CurveKeyFileError else { return XCTFail("\($0)") }
        }
    }

    func testKeysFromFilesTalk() async throws {
        let server = try CurveKeyPair.generate(), client = try CurveKeyPair.generate()
        try CurveKeyFile.write(server, to: folder + "/learner.key")
        try CurveKeyFile.writePublic(server.publicKey, to: folder + "/learner.pub")
        try CurveKeyFile.write(client, to: folder + "/worker.key")
        try CurveKeyFile.writePublic(client.publicKey, to: folder + "/worker.pub")

        let context = try ZMQContext()
        let router = try await loopbackRouter(context, security: .curve(
            keys: try CurveKeyFile.readPair(from: folder + "/learner.key"),
            allowedClients: [try CurveKeyFile.readPublicKey(from: folder + "/worker.pub")]))
        let worker = try await dealer(to: router, context, security: .curve(
            keys: try CurveKeyFile.readPair(from: folder + "/worker.key"),
            serverKey: try CurveKeyFile.readPublicKey(from: folder + "/learner.pub")))
        let atRouter = Collector(router.incoming)
        try await worker.send([Frame("hello")])
        let hello = await atRouter.wait(for: 1)[0]
        XCTAssertEqual(hello.frames, [Frame("hello")])
        await worker.close()
        await router.close()
    }
}
