#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A non-blocking pipe that wakes a socket thread out of `zmq_poll` (which polls plain file descriptors
/// beside sockets). Any thread may `signal`; signals between two drains cost one `write(2)`.
final class WakeSignal: @unchecked Sendable {
    /// The end `zmq_poll` watches for `POLLIN`.
    let readFD: Int32
    private let writeFD: Int32
    private let pending = Atomic<Bool>(false)

    init() throws(ZMQError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ZMQError.failed(operation: "pipe for the socket thread's wake-up", errno: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    /// Makes the pipe readable, unless it already is.
    func signal() {
        guard !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        while write(writeFD, &byte, 1) < 0, errno == EINTR {}
    }

    /// Empties the pipe. Call it before taking the work that signals announced: a signal after this
    /// writes again. The order matters: reading first and clearing `pending` after means no byte can be
    /// written (and then eaten here) while `pending` still says one is there, which would lose the next
    /// wake-up.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
        pending.store(false, ordering: .sequentiallyConsistent)
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}
