import Foundation
import Storage

/// The training curves of a PPO run folder, read from its `metrics.jsonl`: one value per iteration for each
/// metric the report plots.
package struct RunCurves: Sendable, Equatable {
    /// The run's name in the report (its folder's name).
    package var name: String
    /// metric name → (iteration, value) in file order; only finite numbers are kept.
    package var series: [String: [(x: Double, y: Double)]]

    /// The metrics the report plots, with their titles; the KL chart draws `objective/kl_target` as its
    /// reference line.
    package static let plotted: [(key: String, title: String)] = [
        ("env/reward_mean", "reward (training batch)"), ("eval/reward_mean", "reward (held-out)"),
        ("objective/kl", "KL to the reference"), ("objective/entropy", "entropy"),
        ("ppo/loss/value", "value loss"), ("ppo/policy/clipfrac", "clip fraction"),
    ]

    /// The largest metrics.jsonl read (a run of a million iterations is about 2 GB; this is far more than
    /// any run here writes).
    static let limit = 512 << 20

    /// Reads `folder/metrics.jsonl`.
    package static func read(run folder: String) throws(DataFileError) -> RunCurves {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("metrics.jsonl").path
        let data: Data
        do { data = try SideFile.read(path, limit: limit, what: "a metrics.jsonl") } catch {
            throw DataFileError(file: error.path, line: nil, reason: error.reason)
        }
        var series: [String: [(x: Double, y: Double)]] = [:]
        let wanted = Set(plotted.map(\.key) + ["objective/kl_target"])
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
            where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let iteration = (object["iteration"] as? NSNumber)?.doubleValue, iteration.isFinite else {
                throw DataFileError(file: path, line: index + 1, reason: "expected a JSON object with a numeric \"iteration\"")
            }
            for (key, value) in object where wanted.contains(key) {
                guard let number = value as? NSNumber else { continue }
                let y = number.doubleValue
                if y.isFinite { series[key, default: []].append((iteration, y)) }
            }
        }
        guard !series.isEmpty else {
            throw DataFileError(file: path, line: nil, reason: "holds none of the metrics a PPO run writes")
        }
        return RunCurves(name: URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent, series: series)
    }

    /// The KL target the run kept (its last `objective/kl_target`), if it had one.
    package var klTarget: Double? { series["objective/kl_target"]?.last?.y }

    package static func == (a: RunCurves, b: RunCurves) -> Bool {
        a.name == b.name && a.series.keys == b.series.keys
            && a.series.allSatisfy { key, points in points.elementsEqual(b.series[key] ?? []) { $0.x == $1.x && $0.y == $1.y } }
    }
}
