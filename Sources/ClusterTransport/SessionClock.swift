/// The seconds since a transport started, from the monotonic clock: what the session machines' `now`
/// arguments read.
struct SessionClock: Sendable {
    private let started = ContinuousClock.now

    /// Seconds since the clock was made.
    var now: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
