import ArgumentParser
import CUDA
import Foundation
import Tensor

/// `rlhf devices`: the CPUs' instruction set and each GPU with its memory, the driver, and the CUDA
/// libraries found; `--ptx FOLDER` compiles every kernel to PTX on the CPU (`make cuda-ptx`).
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List what this machine can compute on: the CPUs' instruction set, and each GPU with the CUDA libraries found.")

    @Option(help: ArgumentHelp("Compile every CUDA kernel to PTX into this folder (needs only libnvrtc, no GPU).", valueName: "folder",
                               visibility: .hidden))
    var ptx: String?

    @Option(help: ArgumentHelp("Virtual architectures for --ptx, comma-separated.", visibility: .hidden))
    var arch = "compute_80,compute_90"

    @Flag(help: ArgumentHelp("Replace a --ptx folder that holds files rlhf devices did not write.", visibility: .hidden))
    var force = false

    var outputRule: OutputFolder? {
        ptx.map { OutputFolder($0, flag: "--ptx", command: "devices", force: force, inputs: []) }
    }

    func validate() throws {
        let architectures = arch.split(separator: ",")
        guard !architectures.isEmpty, architectures.allSatisfy({ $0.hasPrefix("compute_") && Int($0.dropFirst(8)) != nil }) else {
            throw ValidationError("--arch \(arch.prefix(40)): expected compute_NN names, comma-separated")
        }
        _ = try outputRule?.check(replacing: true)
    }

    func run() throws {
        guard let rule = outputRule else {
            try StandardOutput.line("cpu: \(System.coreCount) cores, kernels for \(InstructionSet.active) (supported: \(InstructionSet.supported.map(\.description).joined(separator: ", ")))")
            for line in DeviceInventory.probe().lines { try StandardOutput.line(line) }
            return
        }
        let nvrtc = try NVRTCAPI.open()
        let folder = try rule.stage()
        defer { folder.discard() }
        var bytes = 0
        for architecture in arch.split(separator: ",").map(String.init) {
            let compiler = KernelCompiler(nvrtc: nvrtc, architecture: architecture)
            for program in KernelSources.programs {
                let ptx = try compiler.ptx(of: program)
                let text = Data(ptx.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
                try text.write(to: folder.staging.appendingPathComponent("\(program.name).\(architecture).ptx"))
                bytes += text.count
                try StandardOutput.line("\(program.name) \(architecture): \(program.kernels.count) kernels, \(text.count) bytes of PTX")
            }
        }
        try folder.commit()
        try StandardOutput.line("NVRTC \(nvrtc.version) compiled \(KernelSources.programs.count) programs for \(arch) into \(ptx!) (\(bytes) bytes)")
    }
}
