import Foundation

/// The relocatable tarball `make dist` made (`RLHF_DIST`, else the newest `.build/dist/rlhf-*.tar.xz`),
/// as the tests that run it find it.
package enum DistTarball {
    /// The tarball; missing is a failure (`make test` makes it before the tests run).
    package static func locate() throws -> URL {
        if let given = ProcessInfo.processInfo.environment["RLHF_DIST"], !given.isEmpty { return URL(fileURLWithPath: given) }
        let folder = TestPaths.packageRoot.appendingPathComponent(".build/dist")
        let found = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
            .filter { $0.lastPathComponent.hasPrefix("rlhf-") && $0.lastPathComponent.hasSuffix(".tar.xz") }
            .max { a, b in
                let date = { (url: URL) in (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast }
                return date(a) < date(b)
            }
        guard let found else { throw MissingTestInput(description: "no tarball in \(folder.path): run `make dist` (make test does) or set RLHF_DIST") }
        return found
    }

    /// Unpacks `tarball` into `folder` and returns the folder it holds (`rlhf-VERSION-linux-ARCH`).
    package static func unpack(_ tarball: URL, into folder: URL) throws -> URL {
        try SystemCommand.check(["tar", "-xJf", tarball.path, "-C", folder.path], timeout: 120)
        guard let top = try FileManager.default.contentsOfDirectory(atPath: folder.path).first(where: { $0.hasPrefix("rlhf-") }) else {
            throw MissingTestInput(description: "\(tarball.path) holds no rlhf-* folder")
        }
        return folder.appendingPathComponent(top)
    }
}
