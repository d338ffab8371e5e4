import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library opened with `dlopen` at run time, so nothing from CUDA is linked at build time.
package final class DynamicLibrary: @unchecked Sendable {
    /// The file name asked for (`libcuda.so.1`).
    package let name: String
    /// The path it was opened from (the bare name when the system's search found it).
    package let path: String
    private let handle: UnsafeMutableRawPointer

    private init(name: String, path: String, handle: UnsafeMutableRawPointer) {
        self.name = name; self.path = path; self.handle = handle
    }

    /// Opens the first of `directories/name` that loads, then `name` through the system's search path
    /// (LD_LIBRARY_PATH, the ld.so cache). Libraries are loaded global, so a later library's dependency on
    /// this one (cuBLAS on cuBLASLt) resolves to it.
    package static func open(_ name: String, purpose: String, directories: [String]) throws(CUDAError) -> DynamicLibrary {
        var lastError = "not found"
        for candidate in directories.map({ $0 + "/" + name }) + [name] {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_GLOBAL) {
                return DynamicLibrary(name: name, path: candidate, handle: handle)
            }
            if let message = dlerror(), candidate == name || !String(cString: message).contains("No such file") {
                lastError = String(cString: message)
            }
        }
        let searched = directories.isEmpty ? "" : " (also looked in \(directories.count) folder\(directories.count == 1 ? "" : "s"))"
        throw .libraryMissing(library: name, purpose: purpose, reason: Self.shorten(lastError) + searched)
    }

    /// The function `symbol`, typed as the `@convention(c)` function type `type`.
    package func function<F>(_ symbol: String, as type: F.Type) throws(CUDAError) -> F {
        guard let address = dlsym(handle, symbol) else { throw .symbolMissing(library: name, symbol: symbol) }
        return unsafeBitCast(address, to: F.self)
    }

    /// Opens (global) the libraries in this library's folder whose names start with `prefix`, except
    /// NVIDIA's `.alt.` variants, so that its own `dlopen` of them by file name finds them loaded.
    package func openCompanions(prefix: String) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let folder = String(path[..<slash])
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(prefix) && !$0.contains(".alt.") }
        for name in names.sorted() { _ = dlopen(folder + "/" + name, RTLD_NOW | RTLD_GLOBAL) }
    }

    private static func shorten(_ message: String) -> String {
        // dlerror repeats the path first: "PATH: cannot open shared object file: ..."
        String((message.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? message).prefix(200))
    }
}
