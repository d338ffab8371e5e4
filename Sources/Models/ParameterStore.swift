import Tensor

/// What a parameter is, which decides its default weight decay.
public enum ParameterRole: String, Sendable, Codable {
    /// A 2-D projection matrix (decayed by default).
    case matrix
    /// A 1-D tensor: norm gains, biases (never decayed unless asked).
    case vector
    /// A token or position embedding table (not decayed unless asked).
    case embedding
}

/// One named tensor inside the flat parameter allocation.
public struct ParameterSpec: Sendable, Equatable {
    /// Swift-side name, e.g. `layers.3.attn.qkv.weight`.
    public var name: String
    /// Shape, row-major; projection weights are stored [out, in].
    public var shape: [Int]
    /// Role (decides weight decay).
    public var role: ParameterRole
    /// Offset in floats from the start of the flat allocation.
    public var offset: Int

    /// Number of floats.
    public var count: Int { shape.reduce(1, *) }

    /// Creates a spec.
    public init(name: String, shape: [Int], role: ParameterRole, offset: Int = 0) {
        self.name = name; self.shape = shape; self.role = role; self.offset = offset
    }
}

/// All parameters of a model in one allocation, gradients in a second one with the same layout (llm.c style).
public final class ParameterStore: @unchecked Sendable {
    /// The tensors, in layout order.
    public let specs: [ParameterSpec]
    /// Total floats.
    public let count: Int
    /// Parameter values [count].
    public let values: FloatBuffer
    /// Gradients [count], allocated by `enableGradients()`.
    public private(set) var gradients: FloatBuffer?
    private let indexByName: [String: Int]

    /// Lays out `specs` back to back (offsets are recomputed) and allocates zeroed values.
    public init(specs: [(String, [Int], ParameterRole)], backend: Backend) {
        var laid: [ParameterSpec] = []
        var offset = 0
        for (name, shape, role) in specs {
            // keep every tensor 16-float (64-byte) aligned for SIMD loads
            offset = (offset + 15) & ~15
            laid.append(ParameterSpec(name: name, shape: shape, role: role, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.specs = laid
        self.count = offset
        self.values = backend.makeBuffer(count: offset)
        var index: [String: Int] = [:]
        for (i, s) in laid.enumerated() { index[s.name] = i }
        self.indexByName = index
        self.backend = backend
    }

    /// The backend whose memory holds the values (and gradients).
    public let backend: Backend

    /// Whether this store is frozen: it never allocates gradients (a reference or reward model costs
    /// only its weights), and `enableGradients` leaves it without them.
    public private(set) var isFrozen = false

    /// Freezes the store and drops any gradients it had.
    public func freeze() {
        isFrozen = true
        gradients = nil
    }

    /// Allocates the gradient buffer (zeroed) if it does not exist yet; a frozen store keeps none.
    public func enableGradients() {
        if gradients == nil && !isFrozen { gradients = backend.makeBuffer(count: count) }
    }

    /// A new, unfrozen store with the same layout and a copy of these values (no gradients): a frozen
    /// reference started from a policy's weights without loading them again.
    public func copy() -> ParameterStore {
        let twin = ParameterStore(specs: specs.map { ($0.name, $0.shape, $0.role) }, backend: backend)
        backend.copy(from: values.pointer, to: twin.values.pointer, count: count)
        return twin
    }

    /// Floats the store holds in backend memory: its values, plus its gradients when allocated.
    public var allocatedFloats: Int { values.count + (gradients?.count ?? 0) }

    /// Sets all gradients to zero.
    public func zeroGradients() { if let g = gradients { backend.zero(g.pointer, count: g.count) } }

    /// The spec called `name`, if any.
    public func spec(named name: String) -> ParameterSpec? { indexByName[name].map { specs[$0] } }

    /// Pointer to the values of `name` (the name must exist: layers ask only for their own tensors).
    public func value(_ name: String) -> FloatPointer {
        guard let s = spec(named: name) else { preconditionFailure("no parameter \(name)") }
        return values.pointer + s.offset
    }

    /// Pointer to the gradient of `name` (gradients must be enabled).
    public func gradient(_ name: String) -> FloatPointer {
        guard let s = spec(named: name), let g = gradients else { preconditionFailure("no gradient \(name)") }
        return g.pointer + s.offset
    }

    /// Total number of scalar parameters (excluding alignment padding).
    public var parameterCount: Int { specs.reduce(0) { $0 + $1.count } }
}
