import Dispatch
import Wire

/// `rlhf bench transport`, measurement 2: microseconds to encode and to decode (`WireCodec`, the frames
/// the transports send and receive) three typical messages: a `ROLLOUT` of 16 rows × 24 tokens with
/// log-probs, a `ROLLOUT_TASK` of 16 prompts × 16 tokens, and the weights manifest of the bench's policy.
/// Each is the median of 101 samples, a sample timing enough repetitions to last ~0.2 ms.
package enum WireCodecBench {
    /// The JSON line of one message.
    package struct Result: Encodable {
        package let workload = "transport", measurement = "codec"
        package let message: String, shape: String
        /// The bytes of its frames.
        package let bytes: Int
        package let encode_us: Double, decode_us: Double
        /// Repetitions per sample.
        package let repetitions: Int
    }

    /// One message to time: the message, who sends it, and its shape in words.
    private struct Case {
        package var message: WireMessage, sender: WirePeer, shape: String
    }

    /// Times the three messages, `manifest` being the policy's.
    package static func measure(manifest: WeightsManifest) throws -> [Result] {
        let id = TaskID(iteration: 3, index: 17)
        let sampling = SamplingSettings(temperature: 1, topK: 0, topP: 1, minP: 0, maxNewTokens: 24, stopTokens: [50256])
        let prompts = (0..<16).map { r in (0..<16).map { 1000 + 37 * r + $0 } }
        let rollout = Rollout(id: id, policyVersion: 3, responses: (0..<16).map { r in (0..<24).map { 2000 + 11 * r + $0 } },
                              logProbs: (0..<16).map { r in (0..<24).map { -Float(r * 24 + $0) / 97 - 0.01 } },
                              stopped: (0..<16).map { $0 % 3 == 0 }, seconds: 0.25)
        let cases = [
            Case(message: .rollout(rollout), sender: .worker, shape: "16 rows x 24 tokens with log-probs"),
            Case(message: .rolloutTask(RolloutTask(id: id, policyVersion: 3, prompts: prompts, seed: id.seed(runSeed: 7),
                                                   sampling: sampling)),
                 sender: .learner, shape: "16 prompts x 16 tokens"),
            Case(message: .weightsManifest(manifest), sender: .learner, shape: "\(manifest.tensors.count) tensors"),
        ]
        return try cases.map(time)
    }

    private static func time(_ c: Case) throws -> Result {
        let header = WireHeader(worker: 5, sequence: 1234)
        let frames = try WireCodec.encode(c.message, header: header)
        guard try WireCodec.decode(frames: frames, from: c.sender) == WireEnvelope(header: header, message: c.message) else {
            throw TransportBenchError.codecMismatch(kind: "\(c.message.kind)")
        }
        var sink = 0
        let encode = try median { sink &+= try WireCodec.encode(c.message, header: header).count }
        let decode = try median { sink &+= try WireCodec.decode(frames: frames, from: c.sender).header.worker == 5 ? 1 : 0 }
        precondition(sink != 0)
        return Result(message: "\(c.message.kind)", shape: c.shape, bytes: frames.reduce(0) { $0 + $1.count },
                      encode_us: encode.seconds * 1e6, decode_us: decode.seconds * 1e6, repetitions: encode.repetitions)
    }

    /// The median seconds of one call of `body`, and the repetitions per sample.
    private static func median(_ body: () throws -> Void) throws -> (seconds: Double, repetitions: Int) {
        func clock() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        let t0 = clock()
        for _ in 0..<10 { try body() }
        let once = max(Double(clock() - t0) / 10, 1)
        let repetitions = max(1, Int(200_000 / once))
        var samples: [Double] = []
        for _ in 0..<101 {
            let start = clock()
            for _ in 0..<repetitions { try body() }
            samples.append(Double(clock() - start) / 1e9 / Double(repetitions))
        }
        return (samples.sorted()[samples.count / 2], repetitions)
    }
}
