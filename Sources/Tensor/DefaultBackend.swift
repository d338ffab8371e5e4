/// The backend models, stores and caches are built on when the caller names none: the CPU backend, or the
/// device this process was pinned to (`--device cuda:N`), set once at start before any model is made.
public enum DefaultBackend {
    nonisolated(unsafe) private static var chosen: Backend?

    /// The process's backend (the CPU backend unless `use` ran).
    public static var current: Backend { chosen ?? CPUBackend.shared }

    /// Makes `backend` the process's backend. Call before any model is built.
    public static func use(_ backend: Backend) { chosen = backend }
}
