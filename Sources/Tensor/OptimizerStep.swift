/// The per-step scalars of one AdamW update, computed once in Double and rounded to Float
/// (as PyTorch computes them in Python before its fp32 kernels).
public struct AdamWScalars: Sendable, Equatable {
    /// 1 − lr·λ for decayed floats (1 for the others).
    public var decayFactor: Float
    /// 1 − β1: the lerp weight of the first moment.
    public var oneMinusBeta1: Float
    /// β2.
    public var beta2: Float
    /// 1 − β2.
    public var oneMinusBeta2: Float
    /// −lr / (1 − β1^t).
    public var negativeStepSize: Float
    /// √(1 − β2^t).
    public var biasCorrection2Sqrt: Float
    /// eps.
    public var epsilon: Float

    /// The scalars of step `t` (1-based) at learning rate `lr` with decay `weightDecay` (0 = none).
    public init(t: Int, lr: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double) {
        let biasCorrection1 = 1 - pow(beta1, Double(t))
        let biasCorrection2 = 1 - pow(beta2, Double(t))
        decayFactor = Float(1 - lr * weightDecay)
        oneMinusBeta1 = Float(1 - beta1)
        self.beta2 = Float(beta2)
        oneMinusBeta2 = Float(1 - beta2)
        negativeStepSize = Float(-(lr / biasCorrection1))
        biasCorrection2Sqrt = Float(biasCorrection2.squareRoot())
        self.epsilon = Float(epsilon)
    }
}

/// A contiguous run of a flat parameter buffer and the AdamW scalars that step it (decayed or not).
public struct OptimizerSegment: Sendable, Equatable {
    /// Float offsets into the parameter, gradient and moment buffers.
    public var range: Range<Int>
    /// Index into the scalars passed with the step.
    public var scalarsIndex: Int

    /// Creates a segment.
    public init(range: Range<Int>, scalarsIndex: Int) { self.range = range; self.scalarsIndex = scalarsIndex }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
