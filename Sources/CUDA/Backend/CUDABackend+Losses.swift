import Tensor

extension CUDABackend {
    /// Threads per block of the one-block-per-row vocabulary kernels (fixed: it fixes the order of the row sums).
    static let lossRowThreads = 512

    /// losses[N] = -log softmax(logits[n])[targets[n]] (0 where targets[n] < 0); saves logSumExp[N].
    public func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer,
                                    targets: TokenPointer, rows: Int, vocab: Int) {
        guard rows > 0 else { return }
        device.launch("rlhf_cross_entropy_forward", LaunchShape(blocks: rows, threads: Self.lossRowThreads), [
            .floats(losses), .floats(logSumExp), .floats(logits), .ints(targets), .int(rows), .int(vocab),
        ])
    }

    /// dLogits[N,V] (=; may alias logits) = (softmax - onehot) · dLoss[n]; zero where targets[n] < 0.
    public func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer,
                                     targets: TokenPointer, dLoss: FloatPointer, rows: Int, vocab: Int) {
        guard rows > 0 else { return }
        device.launch("rlhf_cross_entropy_backward", LaunchShape(blocks: rows, threads: Self.lossRowThreads), [
            .floats(dLogits), .floats(logits), .floats(logSumExp), .ints(targets), .floats(dLoss), .int(rows), .int(vocab),
        ])
    }

    /// out[N] = log softmax(logits[n])[targets[n]].
    ///
    /// 0 where targets[n] < 0, as on the CPU.
    public func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) {
        guard rows > 0 else { return }
        device.launch("rlhf_log_softmax_gather", LaunchShape(blocks: rows, threads: Self.lossRowThreads), [
            .floats(out), .floats(logits), .ints(targets), .int(rows), .int(vocab),
        ])
    }

    /// logProbs[N] = log softmax(logits[n] / T)[targets[n]] (0 where targets[n] < 0); entropy[N] of
    /// softmax(logits[n] / T) when non-nil. Exactly the distribution the sampler draws from at T.
    public func tokenLogProbsForward(logProbs: FloatPointer, entropy: FloatPointer?, logits: FloatPointer,
                                     targets: TokenPointer, rows: Int, vocab: Int, temperature: Float) {
        guard rows > 0 else { return }
        device.launch("rlhf_token_logprobs_forward", LaunchShape(blocks: rows, threads: Self.lossRowThreads), [
            .floats(logProbs), .floats(entropy), .floats(logits), .ints(targets), .int(rows), .int(vocab),
            .float(temperature),
        ])
    }

    /// dLogits[N,V] (=; may alias logits) from d loss / d logProbs[N] and d loss / d entropy[N] (either nil).
    public func tokenLogProbsBackward(dLogits: FloatPointer, logits: FloatPointer, targets: TokenPointer,
                                      dLogProbs: FloatPointer?, dEntropy: FloatPointer?, rows: Int, vocab: Int,
                                      temperature: Float) {
        guard rows > 0 else { return }
        device.launch("rlhf_token_logprobs_backward", LaunchShape(blocks: rows, threads: Self.lossRowThreads), [
            .floats(dLogits), .floats(logits), .ints(targets), .floats(dLogProbs), .floats(dEntropy), .int(rows),
            .int(vocab), .float(temperature),
        ])
    }
}
