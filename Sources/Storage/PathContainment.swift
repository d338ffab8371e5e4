import Foundation

/// Whether one path lies inside a folder, with symbolic links and `.`/`..` resolved: what `convert`
/// checks so that replacing a folder never removes its own input or the folder it runs in.
package enum PathContainment {
    /// `path` made absolute, `.`/`..` and symbolic links resolved (as far as the path exists).
    package static func resolved(_ path: String) -> String {
        if let real = realpath(path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        return URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Whether `path` is `folder` or lies inside it.
    package static func folder(_ folder: String, holds path: String) -> Bool {
        let f = resolved(folder), p = resolved(path)
        if f == "/" { return true }
        return p == f || p.hasPrefix(f + "/")
    }
}
