/// What this machine offers a GPU process: each visible GPU and the versions of the CUDA libraries found,
/// or what is missing (`rlhf devices`). Probing opens no context and pins nothing.
package struct DeviceInventory: Sendable {
    /// One visible GPU.
    package struct GPU: Sendable {
        /// Its index as `cuda:N` counts (after `CUDA_VISIBLE_DEVICES`).
        package var index: Int
        package var name: String
        package var memoryBytes: Int
        /// Compute capability, `major.minor`.
        package var capability: String
        package var multiprocessors: Int
        /// Peak memory bandwidth from the memory clock and bus width, GB/s (the bound generation is held to).
        package var bandwidthGBs: Double
    }

    /// `major.minor` of the CUDA version the driver supports, or nil without a driver.
    package var driverVersion: String?
    package var gpus: [GPU] = []
    package var blasVersion: String?
    package var nvrtcVersion: String?
    /// One line for each library or call that failed.
    package var problems: [String] = []

    /// Looks for the libraries and the devices.
    package static func probe() -> DeviceInventory {
        var inventory = DeviceInventory()
        do {
            let driver = try DriverAPI.open()
            try driver.check(driver.cuInit(0), "cuInit")
            var version: Int32 = 0
            if driver.cuDriverGetVersion(&version) == 0 { inventory.driverVersion = "\(version / 1000).\(version % 1000 / 10)" }
            var count: Int32 = 0
            try driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount")
            for index in 0..<Int(count) { inventory.gpus.append(try gpu(index, driver)) }
        } catch {
            inventory.problems.append(error.description)
        }
        do { inventory.blasVersion = try CuBLASAPI.open().version } catch { inventory.problems.append(error.description) }
        do { inventory.nvrtcVersion = try NVRTCAPI.open().version } catch { inventory.problems.append(error.description) }
        return inventory
    }

    private static func gpu(_ index: Int, _ driver: DriverAPI) throws(CUDAError) -> GPU {
        var device: Int32 = 0
        try driver.check(driver.cuDeviceGet(&device, Int32(index)), "cuDeviceGet(\(index))")
        var text = [CChar](repeating: 0, count: 256)
        try driver.check(driver.cuDeviceGetName(&text, 256, device), "cuDeviceGetName")
        var memory = 0
        try driver.check(driver.cuDeviceTotalMem(&memory, device), "cuDeviceTotalMem")
        func attribute(_ a: DeviceAttribute) -> Int {
            var value: Int32 = 0
            return driver.cuDeviceGetAttribute(&value, a.rawValue, device) == 0 ? Int(value) : 0
        }
        let bandwidth = 2 * Double(attribute(.memoryClockRateKHz)) * 1000 * Double(attribute(.globalMemoryBusWidthBits)) / 8 / 1e9
        return GPU(index: index, name: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                   memoryBytes: memory, capability: "\(attribute(.computeCapabilityMajor)).\(attribute(.computeCapabilityMinor))",
                   multiprocessors: attribute(.multiprocessorCount), bandwidthGBs: bandwidth)
    }

    /// The listing, one fact per line.
    package var lines: [String] {
        var lines: [String] = []
        if let driverVersion { lines.append("driver: CUDA \(driverVersion)") }
        for gpu in gpus {
            let gib = String(format: "%.1f", Double(gpu.memoryBytes) / Double(1 << 30))
            lines.append("cuda:\(gpu.index)  \(gpu.name)  \(gib) GiB  sm_\(gpu.capability.replacingOccurrences(of: ".", with: ""))  "
                         + "\(gpu.multiprocessors) SMs  \(Int(gpu.bandwidthGBs.rounded())) GB/s")
        }
        if driverVersion != nil && gpus.isEmpty { lines.append("no CUDA device is visible") }
        if let blasVersion { lines.append("cuBLAS \(blasVersion)") }
        if let nvrtcVersion { lines.append("NVRTC \(nvrtcVersion)") }
        return lines + problems.map { "not available: " + $0 }
    }
}

import Foundation
