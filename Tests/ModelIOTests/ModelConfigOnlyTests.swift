import Foundation
import ModelIO
import Models
import TestSupport
import XCTest

/// `ModelBundle.loadConfig` (what a cluster generator reads: the model's shape, its weights come from
/// the learner) gives the same config as a whole `ModelBundle.load`, for each format, and the same
/// one-line errors for a missing or foreign file.
final class ModelConfigOnlyTests: XCTestCase {
    func testTheConfigAloneEqualsTheWholeLoadsConfig() throws {
        let stories = TestPaths.data("stories260K/stories260K.bin").path
        // a Hugging Face folder of the same model, written by this package
        let folder = temporaryPath("hf-stories")
        defer { try? FileManager.default.removeItem(at: folder) }
        let loaded = try ModelBundle.load(path: stories, loadsTokenizer: false)
        try HFCheckpoint.save(config: loaded.config, store: loaded.parameters, to: folder)
        for path in [stories, TestPaths.smolLM2GGUF.path, folder.path] {
            let whole = try ModelBundle.load(path: path, loadsTokenizer: false)
            XCTAssertEqual(try ModelBundle.loadConfig(path: path), whole.config, path)
        }
    }

    func testMissingAndForeignFilesAreTypedErrors() throws {
        XCTAssertThrowsError(try ModelBundle.loadConfig(path: "/nonexistent/model.gguf"))
        let foreign = temporaryPath("foreign.bin")
        try Data(repeating: 7, count: 100).write(to: foreign)
        defer { try? FileManager.default.removeItem(at: foreign) }
        XCTAssertThrowsError(try ModelBundle.loadConfig(path: foreign.path))
    }
}
