/// One check of one `Backend` function: draws seeded shapes and inputs, runs the function on both
/// backends and records a comparison for every output.
public struct BackendCheckCase: Sendable {
    /// A unique name that says the variant ("matmulBackward dWeight+=").
    public let name: String
    /// The `Backend` requirement under test (`matmulBackward`, `upload(tokens)`).
    public let function: String
    /// The case's work on both backends.
    package let body: @Sendable (CaseRun) -> Void

    /// A case named `name` that checks `function` by running `body`.
    package init(_ name: String, function: String, body: @escaping @Sendable (CaseRun) -> Void) {
        self.name = name; self.function = function; self.body = body
    }

    /// Every case, family by family.
    public static let all: [BackendCheckCase] = MemoryCases.all + DenseCases.all + ElementwiseCases.all + NormCases.all
        + AttentionCases.all + LossCases.all + SamplingCases.all + OptimizerCases.all

    /// Whether `filter` (case-insensitive) is part of the case's name or function; nil matches every case.
    public func matches(_ filter: String?) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        let f = filter.lowercased()
        return name.lowercased().contains(f) || function.lowercased().contains(f)
    }
}
