import Tensor
import XCTest

/// A test case whose buffers live until the test ends, so `buffer(x).pointer` can be passed straight
/// to a kernel (a bare temporary `FloatBuffer` may be freed as soon as its pointer is read).
open class KernelTestCase: XCTestCase {
    private var retained: [FloatBuffer] = []

    override open func tearDown() {
        retained.removeAll()
        super.tearDown()
    }

    /// A buffer holding `values`, alive until the test ends.
    package func buffer(_ values: [Float]) -> FloatBuffer {
        let b = buffer(count: values.count)
        b.pointer.update(from: values, count: values.count)
        return b
    }

    /// A zeroed buffer of `count` floats, alive until the test ends.
    package func buffer(count: Int) -> FloatBuffer {
        let b = FloatBuffer(count: count)
        retained.append(b)
        return b
    }
}

/// Calls `body` with a pointer to a mutable copy of `values`.
package func withTokens<R>(_ values: [Int32], _ body: (TokenPointer) throws -> R) rethrows -> R {
    var copy = values
    return try copy.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}
