/// A text as Unicode scalars with their classes and UTF-8 offsets: what the hand-written pre-tokenizer
/// scanners read. Pieces of it are ranges of scalar indices.
struct PreTokenizerText {
    /// The text's UTF-8 bytes.
    let utf8: [UInt8]
    /// Scalar values, one per scalar.
    private(set) var values: [UInt32] = []
    /// Scalar classes, one per scalar.
    private(set) var classes: [PreTokenizerScalarClass] = []
    /// Byte offset of each scalar in `utf8`, plus the end offset (count + 1 entries).
    private(set) var byteOffsets: [Int] = []

    init(_ text: String) {
        utf8 = Array(text.utf8)
        values.reserveCapacity(utf8.count)
        classes.reserveCapacity(utf8.count)
        byteOffsets.reserveCapacity(utf8.count + 1)
        var offset = 0
        for scalar in text.unicodeScalars {
            values.append(scalar.value)
            classes.append(PreTokenizerScalarClass(scalar))
            byteOffsets.append(offset)
            offset += UTF8.width(scalar)
        }
        byteOffsets.append(offset)
    }

    /// Number of scalars.
    var count: Int { values.count }

    /// The UTF-8 bytes of the scalars in `range`.
    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        utf8[byteOffsets[range.lowerBound]..<byteOffsets[range.upperBound]]
    }
}
