import CKernelSupport
import CUDA
import Foundation
import Tensor

/// The device a role process is pinned to (`--device`): CPU cores, or one CUDA GPU.
package enum DeviceSpec: Sendable, Equatable, CustomStringConvertible {
    /// Every core the process may use now (`cpu`), or these cores (`cpu:2-3`, `cpu:0,2,4`).
    case cpu(cores: [Int]?)
    /// One GPU (`cuda:N`).
    case cuda(Int)

    package var description: String {
        switch self {
        case .cpu(nil): "cpu"
        case let .cpu(cores?): "cpu:" + cores.map(String.init).joined(separator: ",")
        case let .cuda(n): "cuda:\(n)"
        }
    }

    /// Parses `cpu`, `cpu:A-B`, `cpu:A,B,...` (ranges and lists mixed) or `cuda:N`.
    package static func parse(_ text: String) throws(DeviceError) -> DeviceSpec {
        if text == "cpu" { return .cpu(cores: nil) }
        if text.hasPrefix("cuda:") {
            guard let n = Int(text.dropFirst(5)), n >= 0, n < 1024 else { throw .malformed(text) }
            return .cuda(n)
        }
        guard text.hasPrefix("cpu:") else { throw .malformed(text) }
        var cores: [Int] = []
        for part in text.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(ends.count), let first = ends.first!, let last = ends.last!, first >= 0, first <= last,
                  last < 4096 else { throw .malformed(text) }
            cores += Array(first...last)
        }
        guard !cores.isEmpty, Set(cores).count == cores.count else { throw .malformed(text) }
        return .cpu(cores: cores)
    }

    /// Pins this process: a CPU set becomes its affinity and its compute thread count; a GPU becomes the
    /// only one it sees (`CUDA_VISIBLE_DEVICES`, which child processes inherit) and the backend every model
    /// is built on, its products in `precision`. `threads` is the host thread count where the device does
    /// not fix it. Call before any compute starts.
    package func apply(precision: CUDAPrecision = .fp32, threads: Int? = nil, matmulThreading: MatmulThreading = .split,
                       environment: [String: String] = ProcessInfo.processInfo.environment) throws(DeviceError) {
        switch self {
        case .cuda(let n):
            let visible = try Self.gpuEntry(n, environment: environment)
            setenv("CUDA_VISIBLE_DEVICES", visible, 1)
            do {
                DefaultBackend.use(try CUDABackend(ordinal: 0, precision: precision))
            } catch .noSuchDevice {
                throw .noSuchGPU(n, visible: visible)
            } catch {
                throw .cuda(n, error)
            }
            Runtime.configure(threads: threads ?? Self.allowedCores().count, matmulThreading: matmulThreading)
        case .cpu(nil):
            Runtime.configure(threads: threads ?? Self.allowedCores().count, matmulThreading: matmulThreading)
        case .cpu(let cores?):
            let allowed = Set(Self.allowedCores())
            if let missing = cores.first(where: { !allowed.contains($0) }) {
                throw .noSuchCore(missing, available: Self.allowedCores())
            }
            let status = cores.map(Int32.init).withUnsafeBufferPointer { rlhf_pin_process_to_cores($0.baseAddress, Int32(cores.count)) }
            guard status == 0 else { throw .pinFailed(description, reason: String(cString: strerror(status))) }
            Runtime.configure(threads: cores.count, matmulThreading: matmulThreading)
        }
    }

    /// The `CUDA_VISIBLE_DEVICES` entry that makes GPU `n` of those this process may see the only one it
    /// sees: the list's `n`-th entry when the variable is set, else `n`.
    package static func gpuEntry(_ n: Int, environment: [String: String]) throws(DeviceError) -> String {
        guard let list = environment["CUDA_VISIBLE_DEVICES"] else { return String(n) }
        let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard n < entries.count else { throw .noSuchGPU(n, visible: list) }
        return entries[n]
    }

    /// The cores this process may run on now.
    package static func allowedCores() -> [Int] {
        var buffer = [Int32](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { rlhf_allowed_cores($0.baseAddress, 4096) }
        return n > 0 ? buffer.prefix(Int(n)).map(Int.init) : [0]
    }
}

/// A device that cannot be used, in one line.
package enum DeviceError: Error, Equatable, CustomStringConvertible {
    /// Not `cpu`, `cpu:CORES` or `cuda:N`.
    case malformed(String)
    /// A core this process may not run on.
    case noSuchCore(Int, available: [Int])
    /// `sched_setaffinity` failed.
    case pinFailed(String, reason: String)
    /// A GPU that is not there (`CUDA_VISIBLE_DEVICES` as the process set it).
    case noSuchGPU(Int, visible: String)
    /// The CUDA libraries or the device could not be opened.
    case cuda(Int, CUDAError)

    package var description: String {
        switch self {
        case let .malformed(text):
            "--device \(text.prefix(40)): expected cpu, cpu:CORES (e.g. cpu:2-3 or cpu:0,2) or cuda:N"
        case let .noSuchCore(core, available):
            "--device: core \(core) is not available to this process (cores \(available.map(String.init).joined(separator: ",")))"
        case let .pinFailed(device, reason): "--device \(device): cannot pin the process: \(reason)"
        case let .noSuchGPU(n, visible): "--device cuda:\(n): no such GPU (CUDA_VISIBLE_DEVICES=\(visible.prefix(60)) shows none for it)"
        case let .cuda(n, error): "--device cuda:\(n): \(error)"
        }
    }
}
