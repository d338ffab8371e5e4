import Tensor

/// Which backend of the pair a call is for.
package enum Side: Sendable, CaseIterable {
    /// The backend under test.
    case candidate
    /// The backend taken as right.
    case reference
}

/// The same floats in both backends' memory: `count` floats a case works on, then `guardCount` more that
/// no kernel may touch (a write past the end shows up as a mismatch there).
package struct DeviceFloats {
    /// The candidate's buffer.
    package let candidate: FloatBuffer
    /// The reference's buffer.
    package let reference: FloatBuffer
    /// Floats the case uses (the buffers hold `count + guardCount`).
    package let count: Int
    /// Floats after `count` that every kernel must leave as they were.
    package let guardCount: Int

    /// The first float on `side`.
    package subscript(side: Side) -> FloatPointer {
        side == .candidate ? candidate.pointer : reference.pointer
    }
}

/// The same token ids in both backends' memory (inputs only: the protocol has no token download).
package struct DeviceTokens {
    /// The candidate's buffer.
    package let candidate: TokenBuffer
    /// The reference's buffer.
    package let reference: TokenBuffer
    /// Ids uploaded.
    package let count: Int

    /// The first id on `side`.
    package subscript(side: Side) -> TokenPointer {
        side == .candidate ? candidate.pointer : reference.pointer
    }
}
