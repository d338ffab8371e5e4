import Foundation
import RunLogs

/// `OUTPUT/samples.jsonl`: a few held-out prompts with the response sampled at each evaluation and its
/// reward, one JSON object per sample, so a run shows its generations before and after training.
package struct SampleLog {
    private let handle: FileHandle
    package let url: URL

    /// Opens `url` for appending (creating it), so a resumed run continues the same file.
    package init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw MetricsWriteError(file: url.path, reason: "cannot create the file")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Appends `samples` of the evaluation before `iteration` (nothing when there are none).
    package func write(_ samples: [PPOLearner.Sample], iteration: Int) throws {
        guard !samples.isEmpty else { return }
        struct Line: Encodable { let iteration: Int; let prompt: String; let response: String; let reward: Double }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for s in samples {
            let data = try encoder.encode(Line(iteration: iteration, prompt: s.prompt, response: s.response, reward: s.reward))
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
