/// Where each process of a run goes: its role, host, slot and device.
package struct PlacedProcess: Sendable, Equatable, CustomStringConvertible {
    /// Its role, and its number among the processes of that role.
    package var role: ProcessRole, index: Int
    /// The host and the slot on it.
    package var host: String, slot: Int
    /// The device it is pinned to: `cpu:A-B` (cores) or `cuda:N`.
    package var device: String

    package var description: String { "\(role)#\(index)@\(host) slot \(slot) \(device)" }
}

/// A slot of a host: where one process runs.
package struct HostSlot: Sendable, Hashable {
    /// The host, and the slot on it.
    package var host: String, slot: Int

    /// A slot.
    package init(host: String, slot: Int) { self.host = host; self.slot = slot }
}

/// The launcher's placement: the host file's explicit `roles=` first, then the config's remaining role
/// counts over the free slots in file order (the learner first, then reference, reward and rollout
/// workers). Each slot of a GPU host takes the next GPU; the slots of a CPU host split its cores evenly.
package struct PlacementPlan: Sendable, Equatable {
    /// Every process, learner first.
    package var processes: [PlacedProcess]

    /// Places `counts` (the config's processes per role, the learner included) on `hosts`; `cores(host)`
    /// is the number of cores of a CPU host.
    package static func make(_ hosts: HostFile, counts: [ProcessRole: Int], file: String,
                            cores: (String) -> Int) throws(HostFileError) -> PlacementPlan {
        var slotsUsed: [String: Int] = [:]
        var placed: [(ProcessRole, HostEntry, Int)] = []
        for entry in hosts.hosts {
            for role in entry.roles ?? [] {
                placed.append((role, entry, slotsUsed[entry.host, default: 0]))
                slotsUsed[entry.host, default: 0] += 1
            }
        }
        var remaining: [ProcessRole] = []
        for role in [ProcessRole.learner, .reference, .reward, .rollout] {
            let explicit = placed.filter { $0.0 == role }.count
            remaining += Array(repeating: role, count: max(0, counts[role, default: 0] - explicit))
        }
        let free = hosts.hosts.filter { $0.roles == nil }
        let freeSlots = free.flatMap { entry in (0..<entry.slots).map { (entry, $0) } }
        guard remaining.count <= freeSlots.count else {
            throw HostFileError(file: file, line: 0, reason: "the run needs \(remaining.count) more processes than the "
                                + "roles= lists place, and the hosts without roles= have \(freeSlots.count) slots")
        }
        for (role, (entry, slot)) in zip(remaining, freeSlots) {
            placed.append((role, entry, slot))
            slotsUsed[entry.host, default: 0] = max(slotsUsed[entry.host, default: 0], slot + 1)
        }
        let learners = placed.filter { $0.0 == .learner }.count
        guard learners == 1 else {
            throw HostFileError(file: file, line: 0, reason: "a run has exactly one learner; the host file places \(learners)")
        }
        var next: [ProcessRole: Int] = [:]
        let ordered = placed.sorted { a, b in
            let order: [ProcessRole] = [.learner, .rollout, .reward, .reference]
            let (ia, ib) = (order.firstIndex(of: a.0)!, order.firstIndex(of: b.0)!)
            return ia != ib ? ia < ib : (a.1.line, a.2) < (b.1.line, b.2)
        }
        let processes = ordered.map { role, entry, slot -> PlacedProcess in
            let index = next[role, default: 0]
            next[role] = index + 1
            return PlacedProcess(role: role, index: index, host: entry.host, slot: slot,
                                 device: device(slot: slot, of: entry, cores: cores(entry.host)))
        }
        return PlacementPlan(processes: processes)
    }

    /// Slot `slot`'s device: its GPU, or its share of the cores (at least one core each), or all of
    /// them when the host shares its cores.
    static func device(slot: Int, of entry: HostEntry, cores: Int) -> String {
        if !entry.gpus.isEmpty { return "cuda:\(entry.gpus[slot])" }
        if entry.sharesCores { return cores <= 1 ? "cpu:0" : "cpu:0-\(cores - 1)" }
        let per = max(1, cores / entry.slots)
        let first = (slot * per) % max(cores, 1)
        return per == 1 ? "cpu:\(first)" : "cpu:\(first)-\(first + per - 1)"
    }

    /// The slots a worker started while the run goes on may take, in file order: those of the hosts
    /// without `roles=` that no process holds (`occupied`: host and slot), each with its device.
    package static func freeSlots(_ hosts: HostFile, occupied: Set<HostSlot>, cores: (String) -> Int) -> [(HostSlot, device: String)] {
        hosts.hosts.filter { $0.roles == nil }.flatMap { entry in
            (0..<entry.slots).compactMap { slot -> (HostSlot, device: String)? in
                let place = HostSlot(host: entry.host, slot: slot)
                return occupied.contains(place) ? nil : (place, device(slot: slot, of: entry, cores: cores(entry.host)))
            }
        }
    }

    /// The plan as lines for the terminal: one per process.
    package var lines: [String] { processes.map(\.description) }
}
