import Checksum
import Foundation

/// What can go wrong writing metrics: the file and the reason.
package struct MetricsWriteError: Error, CustomStringConvertible, Equatable {
    /// The file being written.
    package let file: String
    /// Why it failed.
    package let reason: String

    package var description: String { "\(file): cannot write metrics: \(reason)" }

    /// An error for `file`.
    package init(file: String, reason: String) { self.file = file; self.reason = reason }
}

/// Writes scalar metrics as a TensorBoard event file (`events.out.tfevents.<time>.<host>.<pid>`) that
/// `tensorboard --logdir DIR` reads: TFRecord framing (little-endian length, masked CRC-32C of the length,
/// the `Event` protobuf, masked CRC-32C of the data), a first `file_version: "brain.Event:2"` event, then
/// one `Event{wall_time, step, summary{value{tag, simple_value}}}` per scalar. Each `write` is flushed,
/// so a run killed mid-way leaves whole records behind.
package final class TensorBoardEventWriter {
    /// The event file.
    package let url: URL
    private let handle: FileHandle

    /// Creates `directory` if needed and a new event file in it.
    package init(directory: URL, now: Date = Date()) throws {
        let host = ProcessInfo.processInfo.hostName
        let name = String(format: "events.out.tfevents.%010d.%@.%d", Int(now.timeIntervalSince1970), host,
                          ProcessInfo.processInfo.processIdentifier)
        url = directory.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw MetricsWriteError(file: url.path, reason: "cannot create the file")
            }
            handle = try FileHandle(forWritingTo: url)
        } catch let error as MetricsWriteError {
            throw error
        } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
        var event = ProtobufEncoding()
        event.double(1, now.timeIntervalSince1970)
        event.lengthDelimited(3, Array("brain.Event:2".utf8))
        try append(event.bytes)
    }

    deinit { try? handle.close() }

    /// Writes every scalar of one step (tags sorted, so files are reproducible).
    package func write(step: Int, scalars: [String: Double], wallTime: Date = Date()) throws {
        for (tag, value) in scalars.sorted(by: { $0.key < $1.key }) {
            var summaryValue = ProtobufEncoding()
            summaryValue.lengthDelimited(1, Array(tag.utf8))
            summaryValue.float(2, Float(value))
            var summary = ProtobufEncoding()
            summary.lengthDelimited(1, summaryValue.bytes)
            var event = ProtobufEncoding()
            event.double(1, wallTime.timeIntervalSince1970)
            event.int64(2, Int64(step))
            event.lengthDelimited(5, summary.bytes)
            try append(event.bytes)
        }
    }

    /// Marks a restart at `step` (a resumed run): a `session_log{status: START}` event, on which
    /// TensorBoard discards the earlier run's events at `step` and after, so the curves show each step once.
    package func writeRestart(step: Int, wallTime: Date = Date()) throws {
        var sessionLog = ProtobufEncoding()
        sessionLog.int64(1, 1)  // SessionLog.START
        var event = ProtobufEncoding()
        event.double(1, wallTime.timeIntervalSince1970)
        event.int64(2, Int64(step))
        event.lengthDelimited(6, sessionLog.bytes)
        try append(event.bytes)
    }

    /// One TFRecord: length, its masked CRC, the data, its masked CRC.
    private func append(_ data: [UInt8]) throws {
        var record: [UInt8] = []
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        record += length
        record += withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { Array($0) }
        record += data
        record += withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { Array($0) }
        do {
            try handle.write(contentsOf: Data(record))
            try handle.synchronize()
        } catch {
            throw MetricsWriteError(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
