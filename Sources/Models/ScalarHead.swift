import Tensor

/// A head Linear(C→1) on a trunk's hidden states: TRL's value head (`v_head`, with bias, zero-initialised)
/// read at every position, or a sequence classifier's `score` (no bias) read at the last real token.
///
/// Its parameters are a group of their own (`weight` [1,C], `bias` [1]), so an optimizer steps it with
/// its own learning rate, and a frozen head costs only its C (+1) floats.
public final class ScalarHead: @unchecked Sendable {
    /// weight [1,C] and, with a bias, bias [1].
    public let parameters: ParameterStore
    /// Whether the head adds a bias.
    public let hasBias: Bool
    /// Width C of the hidden states it reads.
    public let width: Int
    private let backend: Backend
    private var output: FloatBuffer?  // out [rows]

    /// A zero-initialised head reading C-wide states.
    public init(width: Int, bias: Bool, backend: Backend = DefaultBackend.current) {
        var specs: [(String, [Int], ParameterRole)] = [("weight", [1, width], .matrix)]
        if bias { specs.append(("bias", [1], .vector)) }
        parameters = ParameterStore(specs: specs, backend: backend)
        hasBias = bias
        self.width = width
        self.backend = backend
    }

    /// A head with `other`'s shape and a copy of its values.
    public convenience init(copying other: ScalarHead) {
        self.init(width: other.width, bias: other.hasBias, backend: other.parameters.backend)
        other.parameters.backend.copy(from: other.parameters.values.pointer, to: parameters.values.pointer,
                                      count: parameters.count)
    }

    /// out[N] = hidden[N,C] · weightᵀ (+ bias), in a buffer the head owns (valid until the next call).
    func forward(hidden: FloatPointer, rows: Int) throws -> FloatPointer {
        if (output?.count ?? 0) < rows { output = backend.makeBuffer(count: rows) }
        let out = output!.pointer
        backend.matmulForward(out: out, input: hidden, weight: parameters.value("weight"),
                              bias: hasBias ? parameters.value("bias") : nil, rows: rows, inFeatures: width, outFeatures: 1)
        return out
    }

    /// dHidden[N,C] += dOut[N] · weight; weight and bias gradients +=.
    func backward(dOut: FloatPointer, hidden: FloatPointer, dHidden: FloatPointer, rows: Int) throws {
        guard !parameters.isFrozen else { throw ModelInputError.frozen }
        parameters.enableGradients()
        backend.matmulBackward(dInput: dHidden, dWeight: parameters.gradient("weight"),
                               dBias: hasBias ? parameters.gradient("bias") : nil, dOut: dOut, input: hidden,
                               weight: parameters.value("weight"), rows: rows, inFeatures: width, outFeatures: 1,
                               accumulateInput: true)
    }
}
