#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `errno` as a short lower-case phrase for messages ("permission denied", "no space left on device").
package enum SystemErrorText {
    /// The phrase for the current `errno`.
    package static func current() -> String { describe(errno) }

    /// The phrase for `code`; EACCES and EPERM both read "permission denied".
    package static func describe(_ code: Int32) -> String {
        if code == EACCES || code == EPERM { return "permission denied" }
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
