@testable import Wire
import XCTest

/// Seeded random damage to valid encodings never crashes the decoder: every attempt ends in a message or
/// a `WireError`, and whatever decodes encodes again.
final class WireFuzzTests: XCTestCase {
    /// Damages `frames` in one of several ways, chosen by `random`.
    static func mutate(_ frames: [[UInt8]], _ random: inout SeededRandom) -> [[UInt8]] {
        var frames = frames
        guard !frames.isEmpty else { return [[UInt8.random(in: 0...255, using: &random)]] }
        // Mostly the body, where most of the checks are.
        let f = frames.count > 1 && Int.random(in: 0..<10, using: &random) < 7 ? 1 : Int.random(in: 0..<frames.count, using: &random)
        var frame = frames[f]
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1:  // flip bits
            for _ in 0..<Int.random(in: 1...4, using: &random) where !frame.isEmpty {
                frame[Int.random(in: 0..<frame.count, using: &random)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            }
        case 2:  // set bytes to random values
            for _ in 0..<Int.random(in: 1...4, using: &random) where !frame.isEmpty {
                frame[Int.random(in: 0..<frame.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
        case 3:  // truncate
            frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &random)))
        case 4:  // insert random bytes
            let at = Int.random(in: 0...frame.count, using: &random)
            frame.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
        case 5:  // delete a run
            if !frame.isEmpty {
                let at = Int.random(in: 0..<frame.count, using: &random)
                frame.removeSubrange(at..<min(frame.count, at + Int.random(in: 1...8, using: &random)))
            }
        case 6:  // duplicate a run (repeats fields)
            if !frame.isEmpty {
                let at = Int.random(in: 0..<frame.count, using: &random)
                let run = frame[at..<min(frame.count, at + Int.random(in: 1...16, using: &random))]
                frame.insert(contentsOf: run, at: Int.random(in: 0...frame.count, using: &random))
            }
        case 7:  // a varint byte that never ends, or a huge length
            let at = Int.random(in: 0...frame.count, using: &random)
            frame.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], at: at)
        case 8:  // drop, add or swap frames
            switch Int.random(in: 0..<3, using: &random) {
            case 0: frames.remove(at: f); return frames
            case 1: frames.append((0..<Int.random(in: 0...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }); return frames
            default: if frames.count > 1 { frames.swapAt(0, 1) }; return frames
            }
        default:  // replace the frame with random bytes
            frame = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        frames[f] = frame
        return frames
    }

    /// Rounds of each fuzz test: 20,000, or `RLHF_WIRE_FUZZ_ROUNDS` for a longer run by hand.
    static let rounds = ProcessInfo.processInfo.environment["RLHF_WIRE_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 20_000

    /// The name of an error's case (`frameCount`), for tallies.
    static func caseName(_ error: WireError) -> String { Mirror(reflecting: error).children.first?.label ?? "\(error)" }

    func testTwentyThousandMutationsEndInAValueOrAWireError() throws {
        let corpus = try WireExamples.all.map { message throws(WireError) in (try WireExamples.frames(message), WireExamples.sender(of: message)) }
        var random = SeededRandom(state: 0x5EED_0009)
        var decoded = 0, refused: [String: Int] = [:]
        for _ in 0..<Self.rounds {
            let (frames, sender) = corpus[Int.random(in: 0..<corpus.count, using: &random)]
            var damaged = Self.mutate(frames, &random)
            if Bool.random(using: &random) { damaged = Self.mutate(damaged, &random) }
            do {
                let envelope = try WireCodec.decode(frames: damaged, from: sender)
                decoded += 1
                // Whatever decodes is a value the wire carries: it encodes and decodes again.
                let again = try WireCodec.encode(envelope.message, header: envelope.header)
                _ = try WireCodec.decode(frames: again, from: sender)
            } catch {
                XCTAssertFalse(error.description.isEmpty || error.description.contains("\n"), error.description)
                refused[Self.caseName(error), default: 0] += 1
            }
        }
        XCTAssertEqual(decoded + refused.values.reduce(0, +), Self.rounds)
        XCTAssertGreaterThan(decoded, 0)
        XCTAssertGreaterThan(refused.count, 8, "the damage reaches many checks")
        print("wire fuzz: \(Self.rounds) damaged messages: \(decoded) decoded; refused: \(refused.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }

    func testDamagedBodiesFreeEverythingWithinTheBudget() {
        // Bodies damaged under their own kind: whether the conversion succeeds or throws, every byte
        // protobuf-c allocated is given back, and it never held more than the budget.
        var random = SeededRandom(state: 0xB0D1E5)
        let bodies = WireExamples.all.map { message in (message.kind, try! WireCodec.encodeBody(message)) }
        var outcomes: [String: Int] = [:]
        for _ in 0..<Self.rounds {
            let (kind, body) = bodies[Int.random(in: 0..<bodies.count, using: &random)]
            let damaged = Self.mutate([[], body], &random)
            guard damaged.count > 1 else { continue }
            var books = UnpackBooks(left: 0)
            let payload: [UInt8] = [1, 2, 3]
            let result = damaged[1].withUnsafeBytes { bytes in
                payload.withUnsafeBytes { p in Result { () throws(WireError) in try WireCodec.decodeBody(kind, bytes, payload: p, books: &books) } }
            }
            XCTAssertEqual(books.inUse, 0, "\(kind): freed")
            XCTAssertLessThanOrEqual(books.peak, unpackBudget(bytes: damaged[1].count))
            switch result {
            case .success: outcomes["decoded", default: 0] += 1
            case let .failure(error): outcomes[Self.caseName(error), default: 0] += 1
            }
        }
        print("wire fuzz: damaged bodies: \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }

    func testRandomBytesAsEveryKind() {
        // Random bodies under every kind's header, from both peers.
        var random = SeededRandom(state: 42)
        var outcomes = 0
        for i in 0..<5_000 {
            let kind = Int64(i % 20)  // 0 and 19 are unknown kinds
            let body = (0..<Int.random(in: 0...48, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var frames = [ProtoWriter.header(kind: kind), body]
            if kind == KindNumber.weightsChunk { frames.append([1, 2, 3]) }
            for peer in [WirePeer.learner, .worker] {
                do { _ = try WireCodec.decode(frames: frames, from: peer) } catch { _ = error.description }
                outcomes += 1
            }
        }
        XCTAssertEqual(outcomes, 10_000)
    }
}
