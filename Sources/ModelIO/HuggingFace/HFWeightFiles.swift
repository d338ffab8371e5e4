import Foundation

/// The safetensors files of a Hugging Face checkpoint folder and which file holds each tensor.
///
/// `model.safetensors` is used when present (as `transformers` does); otherwise
/// `model.safetensors.index.json` names the shards (`weight_map`: key → file in the same folder).
struct HFWeightFiles {
    static let singleFileName = "model.safetensors"
    static let indexFileName = "model.safetensors.index.json"

    /// The opened files.
    let files: [SafetensorsFile]
    /// Tensor key → index into `files`.
    let fileIndexByKey: [String: Int]
    /// The file that stands for the whole checkpoint in messages (the single file or the index).
    let checkpointPath: String

    /// Opens the weights in `directory`.
    init(directory: URL) throws {
        let single = directory.appendingPathComponent(Self.singleFileName)
        let index = directory.appendingPathComponent(Self.indexFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            let file = try SafetensorsFile(url: single)
            files = [file]
            fileIndexByKey = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, 0) })
            checkpointPath = single.path
        } else if FileManager.default.fileExists(atPath: index.path) {
            (files, fileIndexByKey) = try Self.openShards(index: index, directory: directory)
            checkpointPath = index.path
        } else {
            throw HFCheckpointError.noWeights(directory: directory.path)
        }
    }

    private static func openShards(index: URL, directory: URL) throws -> ([SafetensorsFile], [String: Int]) {
        let fields = try HFConfigFields(contentsOf: index)
        guard let weightMap = fields.value("weight_map")?.objectValue, !weightMap.isEmpty else {
            throw HFCheckpointError.malformedJSON(file: index.path, reason: "'weight_map' must be a non-empty object of key → shard file")
        }
        var shardNames: [String] = []
        for (key, value) in weightMap.sorted(by: { $0.key < $1.key }) {
            guard let name = value.stringValue, !name.isEmpty, !name.contains("/"), name != "..", name != "." else {
                throw HFCheckpointError.malformedJSON(file: index.path,
                                                      reason: "'weight_map' entry '\(key)' is \(value.shortDescription), not a file name in this folder")
            }
            if !shardNames.contains(name) { shardNames.append(name) }
        }
        let files = try shardNames.sorted().map { try SafetensorsFile(url: directory.appendingPathComponent($0)) }
        var fileIndexByKey: [String: Int] = [:]
        for (i, file) in files.enumerated() {
            for key in file.tensorNames {
                if fileIndexByKey[key] != nil { throw HFCheckpointError.duplicateTensor(file: file.url.path, key: key) }
                fileIndexByKey[key] = i
            }
        }
        for (key, value) in weightMap.sorted(by: { $0.key < $1.key }) {
            let listed = directory.appendingPathComponent(value.stringValue ?? "").path
            guard let i = fileIndexByKey[key], files[i].url.path == listed else {
                throw HFCheckpointError.missingTensor(file: listed, key: key)
            }
        }
        return (files, fileIndexByKey)
    }

    /// The file holding `key`, if any.
    func file(holding key: String) -> SafetensorsFile? { fileIndexByKey[key].map { files[$0] } }

    /// All tensor keys, sorted.
    var keys: [String] { fileIndexByKey.keys.sorted() }
}
