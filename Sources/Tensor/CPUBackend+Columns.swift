extension CPUBackend {
    /// out[n, 0..<columns] += source[n, 0..<columns], `out`'s rows `outStride` apart.
    public func addColumns(out: FloatPointer, outStride: Int, source: FloatPointer, rows: Int, columns: Int) {
        if outStride == columns { return add(out: out, out, source, count: rows * columns) }
        Parallel.forRanges(rows, costPerItem: columns) { range in
            for n in range { CPUKernels.addInPlace(out + n * outStride, source + n * columns, count: columns) }
        }
    }

    /// out[n, 0..<columns] = source[n, 0..<columns], `source`'s rows `sourceStride` apart.
    public func copyColumns(out: FloatPointer, source: FloatPointer, sourceStride: Int, rows: Int, columns: Int) {
        for n in 0..<rows { (out + n * columns).update(from: source + n * sourceStride, count: columns) }
    }
}
