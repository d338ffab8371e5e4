import Foundation

/// Where the CUDA libraries are looked for, in order: the folders of `RLHF_CUDA_LIBRARY_PATH`, then the
/// system's search path, then the `lib` folders of NVIDIA's Python wheels (CUDA 12's `nvidia-cublas-cu12`
/// put each library in `nvidia/PACKAGE/lib`, CUDA 13's `nvidia-cublas` all of them in `nvidia/cu13/lib`, as
/// PyTorch installs them) and `/usr/local/cuda/lib64`.
package enum CUDALibrarySearch {
    /// The environment variable that names extra folders (colon-separated), searched first.
    package static let environmentVariable = "RLHF_CUDA_LIBRARY_PATH"

    /// Folders to try for a library of the wheel package `wheel` (`cublas`, `cuda_nvrtc`), before the
    /// system's search; the system's search itself is tried by `DynamicLibrary.open` after `preferred`.
    package static func preferred(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        (environment[environmentVariable] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// The wheel folders and the toolkit folder that exist on this machine, for `wheel`'s libraries.
    package static func fallback(wheel: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var roots: [String] = []
        for base in ["/usr/local/lib", "/usr/lib", (environment["HOME"] ?? "") + "/.local/lib", environment["VIRTUAL_ENV"].map { $0 + "/lib" },
                     environment["CONDA_PREFIX"].map { $0 + "/lib" }].compactMap({ $0 }) {
            let pythons = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).filter { $0.hasPrefix("python3") }.sorted()
            for python in pythons {
                for packages in ["site-packages", "dist-packages"] { roots.append("\(base)/\(python)/\(packages)") }
            }
        }
        roots.append("/usr/lib/python3/dist-packages")
        let wheelFolders = roots.flatMap { ["\($0)/nvidia/cu13/lib", "\($0)/nvidia/\(wheel)/lib"] }
        return (wheelFolders + ["/usr/local/cuda/lib64", environment["CONDA_PREFIX"].map { $0 + "/lib" }].compactMap { $0 })
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Opens `name` from the preferred folders, the system's search path, then the fallback folders.
    package static func open(_ name: String, purpose: String, wheel: String) throws(CUDAError) -> DynamicLibrary {
        do {
            return try DynamicLibrary.open(name, purpose: purpose, directories: preferred())
        } catch {
            let fallback = fallback(wheel: wheel)
            guard !fallback.isEmpty else { throw error }
            return try DynamicLibrary.open(name, purpose: purpose, directories: fallback)
        }
    }

    /// The CUDA major versions whose libraries this build calls, newest first: the same functions, under
    /// the sonames `.so.13` and `.so.12`.
    package static let majorVersions = [13, 12]

    /// Opens `stem.so.N` for the first N of `majorVersions` found (`libnvrtc` → `libnvrtc.so.13`); the error,
    /// when none is, names every file looked for.
    package static func open(versioned stem: String, purpose: String, wheel: String, majors: [Int] = majorVersions) throws(CUDAError) -> DynamicLibrary {
        var lastError: CUDAError?
        for major in majors {
            do { return try open("\(stem).so.\(major)", purpose: purpose, wheel: wheel) } catch { lastError = error }
        }
        if case let .libraryMissing(_, purpose, reason)? = lastError {
            throw .libraryMissing(library: majors.map { "\(stem).so.\($0)" }.joined(separator: " or "), purpose: purpose, reason: reason)
        }
        throw lastError!
    }
}
