import Foundation
import ModelIO
import Models
import TestSupport
import XCTest

/// One tensor of a checkpoint being edited by a test.
struct NamedTensor {
    var name: String
    var shape: [Int]
    var values: [Float]
}

/// Helpers that copy a fixture checkpoint into a temporary folder, optionally editing it on the way.
enum HFFixtureCopy {
    /// All tensors of a safetensors file, sorted by name.
    static func tensors(in url: URL) throws -> [NamedTensor] {
        let file = try SafetensorsFile(url: url)
        return try file.tensorNames.map { NamedTensor(name: $0, shape: try file.info($0).shape, values: try file.floats($0)) }
    }

    /// Writes `tensors` as F32.
    static func write(_ tensors: [NamedTensor], to url: URL) throws {
        var writer = SafetensorsWriter()
        for tensor in tensors { writer.addFloats(tensor.name, shape: tensor.shape, values: tensor.values) }
        try writer.write(to: url)
    }

    /// The fixture's `config.json` as a mutable dictionary.
    static func config(of fixture: String) throws -> [String: Any] {
        let data = try Data(contentsOf: TestPaths.fixture("\(fixture)/config.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Copies `fixture` into `directory/name`, letting `editConfig` and `editTensors` change it.
    static func make(_ fixture: String, in directory: URL, name: String = "checkpoint",
                     editConfig: (inout [String: Any]) -> Void = { _ in },
                     editTensors: (inout [NamedTensor]) -> Void = { _ in }) throws -> URL {
        let folder = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = try config(of: fixture)
        editConfig(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        var tensors = try tensors(in: TestPaths.fixture("\(fixture)/model.safetensors"))
        editTensors(&tensors)
        try write(tensors, to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }
}
