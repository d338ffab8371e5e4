import Foundation

/// Values a committed script under `scripts/reference/` computed with an independent tool (numpy, the
/// `gguf` package), each a slice of one tensor in its Swift parameter place: `values` are
/// `tensor[row][columns]`. Tests read them instead of hand-typed numbers.
public struct ReferenceSlices: Decodable, Sendable {
    /// One slice of a tensor.
    public struct Slice: Decodable, Sendable {
        /// The Swift parameter name.
        public let name: String
        /// The row (0 for a vector).
        public let row: Int
        /// [start, end) of the columns.
        public let columns: [Int]
        /// The reference values, float32 values written exactly.
        public let values: [Double]

        /// `columns` as a range.
        public var columnRange: Range<Int> { columns[0]..<columns[1] }
    }

    /// What the values were read from.
    public let source: String
    /// The slices, in the order the script wrote them.
    public let cases: [Slice]

    /// Reads `path`, relative to the package root.
    public static func load(_ path: String) throws -> ReferenceSlices {
        try JSONDecoder().decode(ReferenceSlices.self, from: Data(contentsOf: TestPaths.packageRoot.appendingPathComponent(path)))
    }
}
