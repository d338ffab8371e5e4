import CKernels

extension CPUKernels {
    /// out[n] = a[n] + b[n] for n in 0..<count (out may alias a or b).
    static func add(out: FloatPointer, _ a: FloatPointer, _ b: FloatPointer, count: Int) {
        Parallel.forRanges(count, minimumWork: 65_536) { range in rlhf_add(out, a, b, range.lowerBound, range.upperBound) }
    }

    /// target[i] += source[i] for i in 0..<count, on the calling thread.
    static func addInPlace(_ target: FloatPointer, _ source: FloatPointer, count: Int) {
        rlhf_add(target, target, source, 0, count)
    }

    /// target[count] += partials[0] + partials[1] + … in block order, partial b at `partials + b·stride`;
    /// channels are split over the workers, each adding every block for its channels.
    static func addBlockPartials(_ target: FloatPointer, _ partials: FloatPointer, blocks: Int, stride: Int,
                                 count: Int) {
        Parallel.forRanges(count, costPerItem: blocks) { channels in
            for b in 0..<blocks {
                rlhf_add(target, target, partials + b * stride, channels.lowerBound, channels.upperBound)
            }
        }
    }
}
