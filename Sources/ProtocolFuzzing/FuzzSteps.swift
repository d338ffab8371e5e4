/// A fuzz input read as the steps of a session's life (`docs/PROTOCOL.md` section 9 has the format):
/// each step is an op byte, then what that op reads. Frames are a count byte (0...3 frames), then per
/// frame a little-endian UInt16 length and up to that many bytes (fewer when the input ends first).
package struct FuzzSteps: Sequence, IteratorProtocol {
    /// One step.
    package enum Step: Equatable {
        /// Frames from worker peer `peer` (0...3) to the learner, whose connection authenticated as
        /// client key `key` (nil: none, or 0...3: three workers' keys and the operator's).
        case toLearner(peer: Int, key: Int?, frames: [[UInt8]])
        /// Frames from the learner to the worker.
        case toWorker(frames: [[UInt8]])
        /// The clock moves on by `seconds`.
        case tick(seconds: Double)
        /// The learner's own move (`LearnerMove`).
        case learner(LearnerMove)
    }

    /// What the learner's actor can do by itself.
    package enum LearnerMove: Int, Equatable, CaseIterable {
        /// Begin the next round (publishing the next weights version).
        case beginRound
        /// Publish a new weights version to every generator.
        case publishWeights
        /// Drain the first worker.
        case drainFirst
        /// Stop the first worker.
        case stopFirst
    }

    private let bytes: [UInt8]
    private var at = 0

    /// The steps of `bytes`.
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func byte() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }

    private mutating func frames() -> [[UInt8]] {
        let count = Int(byte() ?? 0) % 4
        return (0..<count).map { _ in
            let length = Int(byte() ?? 0) | Int(byte() ?? 0) << 8
            let end = Swift.min(bytes.count, at + length)
            defer { at = end }
            return Array(bytes[at..<end])
        }
    }

    /// The next step, or nil at the end of the input.
    package mutating func next() -> Step? {
        guard let op = byte() else { return nil }
        let argument = Int(op >> 2)
        switch op & 3 {
        case 0:
            let key = argument >> 2 & 7
            return .toLearner(peer: argument & 3, key: key > 3 ? nil : key, frames: frames())
        case 1: return .toWorker(frames: frames())
        case 2: return .tick(seconds: Double(byte() ?? 0) * 0.25)
        default: return .learner(LearnerMove(rawValue: argument % LearnerMove.allCases.count)!)
        }
    }

    /// The bytes of `steps` (the inverse of reading them), for seed inputs.
    package static func encode(_ steps: [Step]) -> [UInt8] {
        var out: [UInt8] = []
        func frames(_ frames: [[UInt8]]) {
            precondition(frames.count < 4 && frames.allSatisfy { $0.count <= 0xFFFF })
            out.append(UInt8(frames.count))
            for frame in frames { out += [UInt8(frame.count & 0xFF), UInt8(frame.count >> 8)] + frame }
        }
        for step in steps {
            switch step {
            case let .toLearner(peer, key, f):
                out.append(UInt8(((key ?? 7) << 2 | peer) << 2))
                frames(f)
            case let .toWorker(f):
                out.append(1)
                frames(f)
            case let .tick(seconds): out += [2, UInt8(Swift.min(255, (seconds / 0.25).rounded()))]
            case let .learner(move): out.append(UInt8(move.rawValue << 2 | 3))
            }
        }
        return out
    }
}
