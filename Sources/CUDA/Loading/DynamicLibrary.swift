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

    private static func shorten(_ message: String) -> String {
        // dlerror repeats the path first: "PATH: cannot open shared object file: ..."
        String((message.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? message).prefix(200))
    }
}
