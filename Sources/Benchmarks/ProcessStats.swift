#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resource usage of this process.
package enum ProcessStats {
    /// Peak resident set size in MiB (ru_maxrss).
    package static var peakRSSMegabytes: Double {
        var usage = rusage()
        getrusage(0 /* RUSAGE_SELF */, &usage)
        #if os(Linux)
        return Double(usage.ru_maxrss) / 1024
        #else
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }
}
