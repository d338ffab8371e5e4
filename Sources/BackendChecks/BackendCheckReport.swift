import Foundation
import Tensor

/// The outcome of running the cases on a candidate backend against a reference: one line per case.
public struct BackendCheckReport: Sendable {
    /// One case's outcome: its worst output (the one furthest from, or over, its bound).
    public struct Line: Sendable {
        /// The case's name.
        public let name: String
        /// The `Backend` requirement it checks.
        public let function: String
        /// The shapes it drew ("N=3 V=50000").
        public let shape: String
        /// The output with the largest error relative to its bound.
        public let output: String
        /// That output's error (see `BackendCheckTolerance`; a count of mismatches for exact outputs).
        public let maxError: Double
        /// That output's bound.
        public let tolerance: Double
        /// Whether every output of the case is within its bound.
        public let passed: Bool
        /// Where the worst error is ("element 17: 0.25 vs 0.2503").
        public let detail: String
        /// Seconds the case took (both backends, uploads and downloads).
        public let seconds: Double
    }

    /// The candidate's name.
    public let candidate: String
    /// The reference's name.
    public let reference: String
    /// The tolerance's name.
    public let tolerance: String
    /// The seed the shapes and inputs came from.
    public let seed: UInt64
    /// One line per case run, in the order of `BackendCheckCase.all`.
    public let lines: [Line]

    /// Whether every case passed.
    public var allPassed: Bool { lines.allSatisfy(\.passed) }

    /// The cases that failed.
    public var failures: [Line] { lines.filter { !$0.passed } }

    /// Runs every case that matches `filter` (part of a name or function; nil: all) on `candidate` and
    /// `reference`, each case with inputs drawn from `seed` and its name (so a filter changes nothing
    /// else). A case that records no comparison fails.
    public static func run(candidate: any Backend, reference: any Backend, tolerance: BackendCheckTolerance = .fp32,
                           seed: UInt64 = 1, filter: String? = nil) -> BackendCheckReport {
        let lines = BackendCheckCase.all.filter { $0.matches(filter) }.map { check in
            let run = CaseRun(candidate: candidate, reference: reference, tolerance: tolerance,
                              seed: seed ^ stableHash(check.name))
            let start = DispatchTime.now().uptimeNanoseconds
            check.body(run)
            run.release()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return line(check, run, seconds: seconds)
        }
        return BackendCheckReport(candidate: candidate.name, reference: reference.name, tolerance: tolerance.name,
                                  seed: seed, lines: lines)
    }

    /// A case's line: its worst comparison by error over bound (a failed one first).
    private static func line(_ check: BackendCheckCase, _ run: CaseRun, seconds: Double) -> Line {
        func ratio(_ c: Comparison) -> Double { c.bound > 0 ? c.error / c.bound : c.error > 0 ? .infinity : 0 }
        let worst = run.comparisons.max { a, b in
            if a.passed != b.passed { return a.passed }
            return ratio(a) < ratio(b)
        }
        guard let worst else {
            return Line(name: check.name, function: check.function, shape: run.shape, output: "-", maxError: .infinity,
                        tolerance: 0, passed: false, detail: "no output compared", seconds: seconds)
        }
        return Line(name: check.name, function: check.function, shape: run.shape, output: worst.output,
                    maxError: worst.error, tolerance: worst.bound, passed: run.comparisons.allSatisfy(\.passed),
                    detail: worst.passed ? "" : worst.detail, seconds: seconds)
    }

    /// The report as aligned text: a header, one line per case (a failed one says where its worst error is)
    /// and a summary.
    public var text: String {
        let nameWidth = lines.map(\.name.count).max() ?? 0, shapeWidth = lines.map(\.shape.count).max() ?? 0
        var out = "\(candidate) against \(reference), \(tolerance) tolerance, seed \(seed)\n"
        for l in lines {
            let verdict = l.passed ? "ok  " : "FAIL"
            let measure = "\(l.output) \(Self.number(l.maxError)) \(l.passed ? "≤" : ">") \(Self.number(l.tolerance))"
            out += "\(verdict)  \(Self.pad(l.name, nameWidth))  \(Self.pad(l.shape, shapeWidth))  \(measure)"
                + String(format: "  %.0f ms", l.seconds * 1000)
                + (l.detail.isEmpty ? "" : "  (\(l.detail))") + "\n"
        }
        out += "\(lines.count - failures.count) of \(lines.count) cases passed\n"
        return out
    }

    private static func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }

    /// Errors in scientific notation; exact counts as integers.
    private static func number(_ x: Double) -> String {
        if x == 0 { return "0" }
        if !x.isFinite { return "inf" }
        if x >= 1, x == x.rounded() { return String(Int(x)) }
        return String(format: "%.1e", x)
    }
}
