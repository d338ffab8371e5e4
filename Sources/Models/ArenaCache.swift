/// A small most-recently-used set of activation arenas, so a model that alternates between batch shapes
/// and modes (a PPO iteration: an inference pass over the whole batch, then training passes over
/// minibatches; generation: a prefill and one-token decode steps) keeps each arena instead of
/// reallocating it, while memory stays bounded: past `limit` arenas the least recently used is freed.
final class ArenaCache {
    /// What an arena was sized for.
    struct Key: Hashable {
        var batch: Int, length: Int
        var training: Bool, hasMask: Bool, lastPositionOnly: Bool
        var logits = true
    }

    /// Most arenas kept at once.
    let limit: Int
    /// Most recently used last.
    private var entries: [(key: Key, arena: ForwardActivations)] = []

    /// A cache that keeps at most `limit` arenas.
    init(limit: Int) { self.limit = max(1, limit) }

    /// The arena for `key`, made by `make` when none is cached. `make` is handed the least recently used
    /// arena when the cache is full, whose memory it may take over (`ForwardActivations(recycling:)`)
    /// instead of allocating and first-touching new memory: batches of ever-changing lengths (reward-model
    /// training) then cost a clear, not a fresh allocation, per shape.
    func arena(for key: Key, make: (_ evicted: ForwardActivations?) -> ForwardActivations) -> ForwardActivations {
        if let i = entries.firstIndex(where: { $0.key == key }) {
            let hit = entries.remove(at: i)
            entries.append(hit)
            return hit.arena
        }
        var evicted: ForwardActivations?
        if entries.count >= limit {
            evicted = entries[0].arena
            entries.removeFirst(entries.count - limit + 1)
        }
        let fresh = make(evicted)
        evicted = nil
        entries.append((key, fresh))
        return fresh
    }

    /// Arenas held now.
    var count: Int { entries.count }

    /// Floats held by every cached arena.
    var floatCount: Int { entries.reduce(0) { $0 + $1.arena.floatCount } }

    /// Frees every arena.
    func removeAll() { entries.removeAll() }
}
