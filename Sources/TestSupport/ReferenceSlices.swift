import Foundation

/// Values a committed script under `scripts/reference/` computed with an independent tool (numpy, the
/// `gguf` package), each a slice of one tensor in its Swift parameter place: `values` are
/// `tensor[row][columns]`. Tests read them instead of hand-typed numbers.
package struct ReferenceSlices: Decodable, Sendable {
    /// One slice of a tensor.
    package struct Slice: Decodable, Sendable {
        /// The Swift parameter name.
        package let name: String
        /// The row (0 for a vector).
        package let row: Int
        /// [start, end) of the columns.
        package let columns: [Int]
        /// The reference values, float32 values written exactly.
        package let values: [Double]

        /// `columns` as a range.
        package var columnRange: Range<Int> { columns[0]..<columns[1] }
    }

    /// What the values were read from.
    package let source: String
    /// The slices, in the order the script wrote them.
    package let cases: [Slice]

    /// Reads `path`, relative to the package root.
    package static func load(_ path: String) throws -> ReferenceSlices {
        try JSONDecoder().decode(ReferenceSlices.self, from: Data(contentsOf: TestPaths.packageRoot.appendingPathComponent(path)))
    }
}
