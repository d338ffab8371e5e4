import CKernels

/// The instruction set the CPU kernels (the `CKernels` C target) run on. Each kernel is compiled for every
/// case and one is chosen on first use: `RLHF_ISA=generic|avx2|avx512` in the environment when this CPU
/// supports it, else the best one CPUID reports.
package enum InstructionSet: Int32, CaseIterable, Sendable, CustomStringConvertible {
    /// The target's baseline (SSE2 on x86_64), no fused multiply-add.
    case generic = 0
    /// AVX2 with FMA: 8-float vectors.
    case avx2 = 1
    /// AVX-512 F/BW/VL/DQ: 16-float vectors for the element-wise and row kernels.
    case avx512 = 2

    /// "generic", "avx2" or "avx512" (the `RLHF_ISA` spelling).
    package var description: String { String(cString: rlhf_isa_name(rawValue)) }

    /// Whether this CPU (and OS) runs this set's kernels.
    package var isSupported: Bool { rlhf_isa_supported(rawValue) != 0 }

    /// Every set this CPU runs, slowest first.
    package static var supported: [InstructionSet] { allCases.filter(\.isSupported) }

    /// The set the kernels use now.
    package static var active: InstructionSet { InstructionSet(rawValue: rlhf_isa_active()) ?? .generic }

    /// Uses `isa` for every kernel from now on (all threads); false, changing nothing, when unsupported.
    @discardableResult
    package static func select(_ isa: InstructionSet) -> Bool { rlhf_isa_select(isa.rawValue) != 0 }

    /// Runs `body` with `isa` selected, then restores the previous set (for tests; not thread-safe against
    /// kernels running concurrently on other threads).
    package static func with<R>(_ isa: InstructionSet, _ body: () throws -> R) rethrows -> R {
        let previous = active
        precondition(select(isa), "instruction set \(isa) is not supported by this CPU")
        defer { select(previous) }
        return try body()
    }
}
