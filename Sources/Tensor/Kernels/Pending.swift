// TEMPORARY during bring-up: kernels not written yet. Each is deleted from here as its real file lands.
// This file must not exist when the issue is resolved.
extension CPUKernels {
    public static func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) { fatalError("pending") }
    public static func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer, targets: TokenPointer, dLoss: FloatPointer, rows: Int, vocab: Int) { fatalError("pending") }
    public static func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) { fatalError("pending") }
    public static func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?, shape: AttentionShape) { fatalError("pending") }
    public static func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer, scratch: FloatPointer, shape: AttentionShape) { fatalError("pending") }
}
