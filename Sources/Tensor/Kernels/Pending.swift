// TEMPORARY during bring-up: kernels not written yet. Each is deleted from here as its real file lands.
// This file must not exist when the issue is resolved.
extension CPUKernels {
    public static func embeddingForward(out: FloatPointer, ids: TokenPointer, table: FloatPointer, rows: Int, channels: Int, accumulate: Bool) { fatalError("pending") }
    public static func embeddingBackward(dTable: FloatPointer, dOut: FloatPointer, ids: TokenPointer, rows: Int, channels: Int) { fatalError("pending") }
    public static func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) { fatalError("pending") }
    public static func geluForward(out: FloatPointer, input: FloatPointer, count: Int) { fatalError("pending") }
    public static func geluBackward(dInput: FloatPointer, dOut: FloatPointer, input: FloatPointer, count: Int) { fatalError("pending") }
    public static func swigluForward(out: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) { fatalError("pending") }
    public static func swigluBackward(dGateUp: FloatPointer, dOut: FloatPointer, gateUp: FloatPointer, rows: Int, hidden: Int) { fatalError("pending") }
    public static func layerNormForward(out: FloatPointer, mean: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer, bias: FloatPointer, rows: Int, channels: Int, eps: Float) { fatalError("pending") }
    public static func layerNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dBias: FloatPointer, dOut: FloatPointer, input: FloatPointer, weight: FloatPointer, mean: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int) { fatalError("pending") }
    public static func rmsNormForward(out: FloatPointer, rstd: FloatPointer, input: FloatPointer, weight: FloatPointer, rows: Int, channels: Int, eps: Float) { fatalError("pending") }
    public static func rmsNormBackward(dInput: FloatPointer, dWeight: FloatPointer, dOut: FloatPointer, input: FloatPointer, weight: FloatPointer, rstd: FloatPointer, rows: Int, channels: Int) { fatalError("pending") }
    public static func rope(_ x: FloatPointer, positions: TokenPointer, table: RotaryTable, rows: Int, heads: Int, headDim: Int, rowStride: Int, inverse: Bool) { fatalError("pending") }
    public static func crossEntropyForward(losses: FloatPointer, logSumExp: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) { fatalError("pending") }
    public static func crossEntropyBackward(dLogits: FloatPointer, logits: FloatPointer, logSumExp: FloatPointer, targets: TokenPointer, dLoss: FloatPointer, rows: Int, vocab: Int) { fatalError("pending") }
    public static func logSoftmaxGather(out: FloatPointer, logits: FloatPointer, targets: TokenPointer, rows: Int, vocab: Int) { fatalError("pending") }
}
import Foundation
enum FastMath { static func exp(_ x: Float) -> Float { Foundation.exp(x) } }
extension CPUKernels {
    public static func exponentiateShifted(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int, shift: Float, scale: Float) -> Double {
        var s = 0.0
        for i in 0..<count { out[i] = Foundation.exp((x[i] - shift) * scale); s += Double(out[i]) }
        return s
    }
}
