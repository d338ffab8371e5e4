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

/// Asserts |a − b| ≤ tolerance element-wise; reports the worst element.
func assertClose(_ actual: UnsafePointer<Float>, _ expected: [Float], tolerance: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    var worst: Float = 0, worstIndex = 0
    for i in 0..<expected.count {
        let d = abs(actual[i] - expected[i])
        if !(d <= worst) { worst = d; worstIndex = i }
    }
    XCTAssertLessThanOrEqual(worst, tolerance,
                             "\(what): max |diff| \(worst) at \(worstIndex) (got \(actual[worstIndex]), want \(expected[worstIndex]))",
                             file: file, line: line)
}

/// Asserts max |a − b| ≤ relative · max |b| (the fixtures' gradient criterion).
func assertCloseRelative(_ actual: [Float], _ expected: [Float], relative: Float, _ what: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): element count", file: file, line: line)
    let scale = expected.map(abs).max() ?? 0
    var worst: Float = 0
    for i in 0..<min(actual.count, expected.count) { worst = max(worst, abs(actual[i] - expected[i])) }
    XCTAssertLessThanOrEqual(worst, relative * max(scale, 1e-12),
                             "\(what): max |diff| \(worst) vs max |expected| \(scale)", file: file, line: line)
}

/// Asserts that every float of `actual` is within `tolerance` of `expected`, as the pointer variant does.
func assertClose(_ actual: [Float], _ expected: [Float], tolerance: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
    actual.withUnsafeBufferPointer { assertClose($0.baseAddress!, expected, tolerance: tolerance, what, file: file, line: line) }
}
