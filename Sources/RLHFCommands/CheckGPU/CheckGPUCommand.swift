import ArgumentParser
import BackendChecks
import CUDA
import Foundation
import Launch
import Tensor

/// `rlhf check-gpu` (hidden; `make test-gpu`, `scripts/gpu-check.sh`): on the GPU machine, which has no
/// Swift, the GPU tests run from the binary. Every backend kernel against the CPU backend on seeded random
/// shapes, the transformers fixtures on the device, and generation against the CPU. Prints one line per
/// check and exits 1 when any fails. With `--device cpu` it checks the CPU backend against a second CPU
/// backend (the harness's own check, run in CI).
struct CheckGPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-gpu",
        abstract: "Check a GPU backend against the CPU backend and the transformers fixtures.",
        shouldDisplay: false)

    @Option(help: ArgumentHelp("The device to check: cuda:N (or cpu to check the harness).", valueName: "device"))
    var device = "cuda:0"

    @Option(help: "Matrix products on the GPU: fp32, tf32 or bf16 (bf16 and tf32 are checked within their rounding).")
    var precision: CUDAPrecision = .fp32

    @Option(help: ArgumentHelp("The fixtures folder (default: $RLHF_SHARED/fixtures or ../shared/fixtures).", valueName: "folder"))
    var fixtures: String?

    @Option(help: ArgumentHelp("A llama2.c checkpoint for the generation checks (default: stories260K in the shared data).", valueName: "path"))
    var model: String?

    @Option(help: "Seed of the random shapes and values.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Run only the checks whose name contains this text.", valueName: "text"))
    var only: String?

    func validate() throws { _ = try DeviceSpec.parse(device) }

    func run() throws {
        let spec = try DeviceSpec.parse(device)
        try spec.apply(precision: precision)
        let shared = ProcessInfo.processInfo.environment["RLHF_SHARED"] ?? "../shared"
        let fixtureFolder = URL(fileURLWithPath: fixtures ?? shared + "/fixtures")
        let modelURL = URL(fileURLWithPath: model ?? shared + "/data/stories260K/stories260K.bin")
        for path in [fixtureFolder.path, modelURL.path] where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("check-gpu: \(path) not found (set --fixtures, --model or RLHF_SHARED)")
        }
        var failed = 0, total = 0
        func report(_ outcomes: [CheckOutcome]) throws {
            for outcome in outcomes where only.map({ outcome.name.contains($0) }) ?? true {
                total += 1
                if !outcome.passed { failed += 1 }
                try StandardOutput.line(outcome.line)
            }
        }
        let started = Date()
        let kernels = BackendCheckReport.run(candidate: DefaultBackend.current, reference: CPUBackend(),
                                             tolerance: precision == .fp32 ? .fp32 : .bf16, seed: seed, filter: only)
        try report(kernels.lines.map {
            CheckOutcome(name: "kernel " + $0.name, passed: $0.passed,
                         detail: "\($0.shape): \($0.output) error \($0.maxError) (bound \($0.tolerance))" + ($0.detail.isEmpty ? "" : "; " + $0.detail))
        })
        // the model-level checks compare float32 results with transformers' bounds: fp32 products only
        if precision == .fp32 {
            try report(try FixtureChecks.run(folder: fixtureFolder))
            try report(try GenerationChecks.run(model: modelURL))
            try report(try OnPolicyRatioCheck.run(model: modelURL))
        }
        try StandardOutput.line("\(total - failed) of \(total) checks passed on \(DefaultBackend.current.name) (\(precision.rawValue)) in "
                                + String(format: "%.1f s", Date().timeIntervalSince(started)))
        if failed > 0 { Foundation.exit(1) }
    }
}
