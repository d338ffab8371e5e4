/// Array conveniences over the backend's explicit uploads and downloads.
extension Backend {
    /// A backend that does not say otherwise keeps its buffers away from the host.
    public var sharesHostMemory: Bool { false }
    /// A backend that does not say otherwise has no memory of its own to check against.
    public var deviceMemoryBytes: Int? { nil }

    /// Copies a host array into backend memory at `destination`.
    public func upload(_ values: [Float], to destination: FloatPointer) {
        values.withUnsafeBufferPointer { upload($0, to: destination) }
    }

    /// Copies host token ids into backend memory at `destination`.
    public func upload(_ ids: [Int32], to destination: TokenPointer) {
        ids.withUnsafeBufferPointer { upload($0, to: destination) }
    }

    /// `count` floats of backend memory at `source`, copied to a host array.
    public func download(_ source: FloatPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            download(source, into: buffer)
            initialized = count
        }
    }
}
