import ClusterCore
import ClusterTransport
import Foundation
import Logging
import Synchronization
import Training
import Wire
import ZeroMQ

/// `rlhf bench transport`, measurement 4: the learner under a flood. One registered peer sends
/// `ROLLOUT` frames of `frameBytes` (a body that unpacks to millions of tokens) as fast as the socket
/// takes them, while `honest` peers probe the learner: each sends `REGISTER` every 200 ms and times the
/// `WELCOME` that answers it (the learner's receive lane, session and send path: a round trip), and
/// notes when each of the learner's heartbeats arrives. The probes run `quiet` seconds alone first, then
/// `seconds` under the flood; the bound is a round trip under 1 s.
package enum FloodBench {
    /// The JSON line of one security.
    package struct Result: Encodable {
        package let workload = "transport", measurement = "flood"
        package let security: BenchSecurity
        package let honest: Int, frame_bytes: Int, seconds: Double
        /// Flood frames the socket took, and their rate.
        package let frames_sent: Int, flood_gb_per_s: Double
        /// What the learner refused meanwhile, by reason (`flood`: dropped unread).
        package let refused: [String: Double]
        /// Round trips before the flood (median) and under it (median, 99th percentile, highest), in ms; nil
        /// (left out of the JSON line) when there was none to measure, as on a machine too busy to answer
        /// a probe in the quiet second.
        package let quiet_rtt_median_ms: Double?, rtt_median_ms: Double?, rtt_p99_ms: Double?, rtt_max_ms: Double?
        /// Round trips under the flood, and the longest gap between two learner heartbeats at an honest peer
        /// (nil when fewer than two heartbeats arrived under the flood).
        package let round_trips: Int, heartbeat_gap_max_s: Double?
        /// Whether every round trip under the flood took under 1 s.
        package let under_1_s: Bool
    }

    /// The bench's switches and the flood's count, shared by its tasks.
    private final class Switches: Sendable {
        let stop = Atomic<Bool>(false), flooding = Atomic<Bool>(false), sent = Atomic<Int>(0)
    }

    /// One honest peer's probes: round trips (seconds, when sent) and heartbeat arrivals.
    private final class Probe: Sendable {
        let samples = Mutex<[(sentAt: Double, rtt: Double)]>([])
        let heartbeats = Mutex<[Double]>([])
    }

    package static func measure(security: BenchSecurity, honest: Int = 4, frameBytes: Int = 64 << 20, quiet: Double = 3,
                                seconds: Double = 10, logger: Logger, progress: (ProgressReport) -> Void = { _ in })
        async throws -> Result {
        let keys = try BenchKeys(security, workers: honest + 1)
        let context = try ZMQContext(), peers = try ZMQContext()
        let learner = try await ZMQLearnerTransport(endpoint: "tcp://127.0.0.1:0", security: keys.server,
                                                    welcome: LearnerSession.WelcomeInfo(runSeed: 0, runConfig: "", overrides: [], digest: []),
                                                    context: context, logger: logger)
        let events = Task { for await _ in learner.incoming {} }
        let clock = ContinuousClock(), origin = clock.now
        @Sendable func now() -> Double {
            let (whole, atto) = (clock.now - origin).components
            return Double(whole) + Double(atto) / 1e18
        }
        let switches = Switches()
        var tasks: [Task<Void, Never>] = [], dealers: [DealerEndpoint] = []
        let probes = (0..<honest).map { _ in Probe() }
        for (i, probe) in probes.enumerated() {
            let dealer = try await DealerEndpoint(DealerConfig(endpoint: learner.endpoint, security: keys.clients[i], name: "honest\(i)",
                                                               logger: logger), context: peers)
            dealers.append(dealer)
            let welcomes = AsyncStream<Double>.makeStream()
            tasks.append(Task.detached {
                for await frames in dealer.incoming {
                    guard let envelope = try? WireCodec.decode(frames: frames.map(\.bytes), from: .learner) else { continue }
                    if case .heartbeat = envelope.message { probe.heartbeats.withLock { $0.append(now()) } }
                    if case .welcome = envelope.message { welcomes.continuation.yield(now()) }
                }
                welcomes.continuation.finish()
            })
            tasks.append(Task.detached {
                var answers = welcomes.stream.makeAsyncIterator()
                let register = Register(role: .reward, host: "honest-\(i)", pid: 100 + i, device: "cpu",
                                        capabilities: WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"]))
                var sequence: UInt64 = 0
                while !switches.stop.load(ordering: .relaxed) {
                    sequence += 1
                    guard let frames = try? WireCodec.encode(.register(register), header: WireHeader(worker: 0, sequence: sequence)) else { return }
                    let sent = now()
                    guard (try? dealer.post(frames.map { Frame($0) })) != nil, let answered = await answers.next() else { return }
                    probe.samples.withLock { $0.append((sent, answered - sent)) }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            })
        }
        // the flooder: registered and ready, then ROLLOUT frames whose body unpacks to frameBytes tokens
        let flooder = try await DealerEndpoint(DealerConfig(endpoint: learner.endpoint, security: keys.clients[honest], name: "flooder",
                                                            logger: logger), context: peers)
        dealers.append(flooder)
        let register = Register(role: .rollout, host: "flooder", pid: 99, device: "cpu",
                                capabilities: WorkerCapabilities(maxRowsPerTask: 1, backends: ["cpu"]))
        try await flooder.send(try WireCodec.encode(.register(register), header: WireHeader(worker: 0, sequence: 1)).map { Frame($0) })
        try await flooder.send(try WireCodec.encode(.ready(Ready(credit: 1)), header: WireHeader(worker: 0, sequence: 2)).map { Frame($0) })
        let flood = floodFrames(bytes: frameBytes)
        let floodTask = Task.detached {
            while !switches.flooding.load(ordering: .relaxed) && !switches.stop.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(10)) }
            while !switches.stop.load(ordering: .relaxed) {
                guard (try? await flooder.send(flood)) != nil else { continue }
                switches.sent.add(1, ordering: .relaxed)
            }
        }
        try await Task.sleep(for: .seconds(quiet))
        let floodStart = now()
        switches.flooding.store(true, ordering: .relaxed)
        for second in 0..<Int(seconds.rounded(.up)) {
            try await Task.sleep(for: .seconds(min(1, seconds - Double(second))))
            progress(ProgressReport(done: second + 1, total: Int(seconds.rounded(.up)), note: "flooding"))
        }
        let floodEnd = now()
        switches.stop.store(true, ordering: .relaxed)
        let refused = learner.counters.filter { $0.key.hasPrefix("cluster/refused/") && $0.value > 0 }
        for dealer in dealers { await dealer.close() }
        for task in tasks { task.cancel() }
        floodTask.cancel()
        await learner.close()
        events.cancel()

        let samples = probes.flatMap { $0.samples.withLock { $0 } }
        let quietRTTs = samples.filter { $0.sentAt < floodStart }.map(\.rtt).sorted()
        let floodRTTs = samples.filter { $0.sentAt >= floodStart && $0.sentAt < floodEnd }.map(\.rtt).sorted()
        let gaps = probes.flatMap { probe -> [Double] in
            let times = probe.heartbeats.withLock { $0 }.filter { $0 >= floodStart && $0 <= floodEnd }
            return zip(times.dropFirst(), times).map { $0 - $1 }
        }
        func at(_ sorted: [Double], _ q: Double) -> Double? { sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))] }
        let frames = switches.sent.load(ordering: .relaxed)
        return Result(security: security, honest: honest, frame_bytes: frameBytes, seconds: floodEnd - floodStart, frames_sent: frames,
                      flood_gb_per_s: Double(frames * frameBytes) / (floodEnd - floodStart) / 1e9,
                      refused: Dictionary(uniqueKeysWithValues: refused.map { (String($0.key.dropFirst("cluster/refused/".count)), $0.value) }),
                      quiet_rtt_median_ms: at(quietRTTs, 0.5).map { $0 * 1000 }, rtt_median_ms: at(floodRTTs, 0.5).map { $0 * 1000 },
                      rtt_p99_ms: at(floodRTTs, 0.99).map { $0 * 1000 }, rtt_max_ms: floodRTTs.last.map { $0 * 1000 }, round_trips: floodRTTs.count,
                      heartbeat_gap_max_s: gaps.max(), under_1_s: !floodRTTs.isEmpty && floodRTTs.last! < 1)
    }

    /// A `ROLLOUT` whose body, `bytes` long (within the body limit), is one packed `response_tokens` field of
    /// one-byte varints: the learner unpacks millions of tokens before it can refuse the message.
    static func floodFrames(bytes: Int) -> [Frame] {
        let header = try! WireCodec.encode(.heartbeat, header: WireHeader(worker: 1, sequence: 3))[0]
        var head = header
        // the same header with the kind ROLLOUT (6) in place of HEARTBEAT (3): field 2, varint
        if let at = zip(head, head.dropFirst()).enumerated().first(where: { $0.element == (0x10, 3) })?.offset { head[at + 1] = 6 }
        var body: [UInt8] = [0x1A]  // field 3, length-delimited
        let payload = bytes - 6  // the tag, and a varint length of at most 5 bytes
        var length = payload
        while length >= 0x80 { body.append(UInt8(length & 0x7F) | 0x80); length >>= 7 }
        body.append(UInt8(length))
        body += [UInt8](repeating: 1, count: payload)
        return [Frame(head), Frame(body)]
    }
}
