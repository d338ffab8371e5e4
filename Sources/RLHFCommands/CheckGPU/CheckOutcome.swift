/// One check of `rlhf check-gpu`: its name, whether it passed, and what was measured.
struct CheckOutcome: Sendable {
    let name: String
    let passed: Bool
    let detail: String

    /// `PASS name: detail` / `FAIL name: detail`.
    var line: String { (passed ? "PASS " : "FAIL ") + name + ": " + detail }

    /// A comparison of `got` with `want` elementwise: passes when every |got − want| ≤ `absolute`.
    static func close(_ name: String, _ got: [Float], _ want: [Float], absolute: Float) -> CheckOutcome {
        guard got.count == want.count else { return CheckOutcome(name: name, passed: false, detail: "\(got.count) values, expected \(want.count)") }
        var worst: Float = 0, at = 0
        for i in got.indices {
            let difference = abs(got[i] - want[i])
            if !(difference <= worst) { worst = difference; at = i }  // NaN counts as worst
        }
        let passed = worst <= absolute
        return CheckOutcome(name: name, passed: passed, detail: "max |difference| \(worst) at \(at) (bound \(absolute), \(got.count) values)")
    }
}
