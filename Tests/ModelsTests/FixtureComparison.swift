import Foundation
import ModelIO
import Models
import TestSupport
import XCTest

/// Loads a `../shared/fixtures/<name>` model folder and its `expected.safetensors`.
struct ModelFixture {
    let model: CausalLM
    let expected: SafetensorsFile
    let inputIDs: [[Int]]

    init(_ name: String) throws {
        let dir = TestPaths.fixture(name)
        let (config, store) = try HFCheckpoint.load(directory: dir)
        model = CausalLM(config: config, parameters: store)
        expected = try SafetensorsFile(url: dir.appendingPathComponent("expected.safetensors"))
        inputIDs = try Self.rows(expected, "input_ids")
    }

    /// An I64 [B,T] tensor as rows.
    static func rows(_ file: SafetensorsFile, _ name: String) throws -> [[Int]] {
        let shape = try file.info(name).shape
        let flat = try file.int64s(name).map(Int.init)
        return (0..<shape[0]).map { Array(flat[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }
}
