extension CPUKernels {
    /// out[n] = a[n] + b[n] for n in 0..<count (out may alias a or b).
    public static func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) {
        Parallel.forRanges(count, minimumWork: 65_536) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound { out.store8(a.load8(i) + b.load8(i), i); i += 8 }
            while i < range.upperBound { out[i] = a[i] + b[i]; i += 1 }
        }
    }
}
