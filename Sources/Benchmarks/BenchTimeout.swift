/// Runs `body`, or cancels it and throws `TransportBenchError.timedOut` when it takes over `seconds`
/// (the bench waits on sockets; a lost message must end it with an error, not hang it).
package func withBenchTimeout<T: Sendable>(_ seconds: Double, waitingFor what: String,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TransportBenchError.timedOut(what: what, seconds: seconds)
        }
        return value
    }
}
