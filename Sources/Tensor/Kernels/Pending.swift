// TEMPORARY during bring-up: kernels not written yet. Each is deleted from here as its real file lands.
// This file must not exist when the issue is resolved.
extension CPUKernels {
    public static func attentionForward(out: FloatPointer, att: FloatPointer, qkv: FloatPointer, keyMask: FloatPointer?, shape: AttentionShape) { fatalError("pending") }
    public static func attentionBackward(dQKV: FloatPointer, dOut: FloatPointer, qkv: FloatPointer, att: FloatPointer, scratch: FloatPointer, shape: AttentionShape) { fatalError("pending") }
}
