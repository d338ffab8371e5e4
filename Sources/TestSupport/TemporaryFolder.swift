import Foundation
import XCTest

extension XCTestCase {
    /// A fresh, empty folder under the system's temporary directory, named `prefix-<UUID>`, removed with
    /// everything in it when the test ends.
    package func temporaryFolder(_ prefix: String = "rlhf-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A fresh path under the system's temporary directory, `prefix-<UUID>suffix`, not created yet;
    /// whatever is there is removed when the test ends.
    package func temporaryPath(_ prefix: String, suffix: String = "") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)\(suffix)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
