import HeapModule
import Wire

/// The work the learner has queued and not leased: for each role, the items in task-id order, so an idle
/// worker takes the one with the smallest task id of its role in O(log n). Removal is lazy: a removed
/// item's key leaves the queued set at once and its heap entry is skipped when it reaches the top. A key
/// is queued at most once.
struct WorkQueue: Sendable {
    private struct Entry: Comparable, Sendable {
        let item: WorkItem
        static func < (a: Entry, b: Entry) -> Bool { a.item.task < b.item.task }
        static func == (a: Entry, b: Entry) -> Bool { a.item.task == b.item.task }
    }

    /// One heap per role, in `WorkerRole.allCases` order.
    private var heaps = [Heap<Entry>](repeating: Heap(), count: WorkerRole.allCases.count)
    private var keys: Set<LeaseKey> = []
    /// How many items of each role are queued, in `WorkerRole.allCases` order.
    private var counts = [Int](repeating: 0, count: WorkerRole.allCases.count)

    private static func slot(_ role: WorkerRole) -> Int {
        switch role {
        case .rollout: 0
        case .reward: 1
        case .reference: 2
        }
    }

    /// Whether `key` is queued.
    func contains(_ key: LeaseKey) -> Bool { keys.contains(key) }

    /// How many items of `role` are queued, in O(1) (a monitor's view asks after every event).
    func count(_ role: WorkerRole) -> Int { counts[Self.slot(role)] }

    /// Queues `item` unless its key is queued already.
    mutating func insert(_ item: WorkItem) {
        guard keys.insert(item.key).inserted else { return }
        heaps[Self.slot(item.role)].insert(Entry(item: item))
        counts[Self.slot(item.role)] += 1
    }

    /// Takes `key` out of the queue (if it is there).
    mutating func remove(_ key: LeaseKey) {
        if keys.remove(key) != nil { counts[Self.slot(key.role)] -= 1 }
    }

    /// Takes out and returns the queued item of `role` with the smallest task id among those `accepts`
    /// (in a round every rollout task has one version, so this is the top one or none).
    mutating func popFirst(_ role: WorkerRole, where accepts: (WorkItem) -> Bool) -> WorkItem? {
        let s = Self.slot(role)
        while let top = heaps[s].min {
            guard keys.contains(top.item.key) else { _ = heaps[s].removeMin(); continue }  // removed earlier
            if accepts(top.item) {
                _ = heaps[s].removeMin()
                remove(top.item.key)
                return top.item
            }
            // rare: the smallest is not for this worker; look through the rest in order
            let candidates = heaps[s].unordered.filter { keys.contains($0.item.key) && accepts($0.item) }
            guard let first = candidates.min() else { return nil }
            remove(first.item.key)
            heaps[s] = Heap(heaps[s].unordered.filter { $0.item.key != first.item.key })
            return first.item
        }
        return nil
    }

    /// The queued items in (task id, role) order.
    var items: [WorkItem] {
        var seen: Set<LeaseKey> = []
        return heaps.flatMap(\.unordered).map(\.item)
            .filter { keys.contains($0.key) && seen.insert($0.key).inserted }
            .sorted { ($0.task, $0.role.rawValue) < ($1.task, $1.role.rawValue) }
    }
}
