import Foundation

/// The Slurm allocation `rlhf launch --launcher slurm` runs inside (`salloc` or `sbatch`), as a host file:
/// one host per node of `SLURM_JOB_NODELIST` (expanded by `scontrol show hostnames`), with
/// `SLURM_JOB_CPUS_PER_NODE`'s CPUs and `SLURM_GPUS_PER_NODE`'s GPUs. A GPU node has a slot per GPU; a CPU
/// node a slot per CPU, or `slotsPerNode`.
package struct SlurmAllocation: Sendable {
    /// The job.
    package var job: String
    /// The nodes, in the allocation's order, and each one's CPUs.
    package var nodes: [String], cpus: [String: Int]
    /// GPUs per node (0: none).
    package var gpusPerNode: Int

    /// An allocation of `nodes` (each with `cpus[node]` CPUs and `gpusPerNode` GPUs) for job `job`.
    package init(job: String, nodes: [String], cpus: [String: Int], gpusPerNode: Int) {
        self.job = job; self.nodes = nodes; self.cpus = cpus; self.gpusPerNode = gpusPerNode
    }

    /// Reads the allocation from `environment`; `scontrol` expands the node list.
    package static func detect(_ environment: [String: String], scontrol: URL) throws(LaunchError) -> SlurmAllocation {
        guard let job = environment["SLURM_JOB_ID"], !job.isEmpty else {
            throw LaunchError(host: "", reason: "--launcher slurm runs inside an allocation (salloc or sbatch): SLURM_JOB_ID is not set")
        }
        guard let list = environment["SLURM_JOB_NODELIST"] ?? environment["SLURM_NODELIST"], !list.isEmpty else {
            throw LaunchError(host: "", reason: "--launcher slurm: SLURM_JOB_NODELIST is not set")
        }
        let expanded: ShortCommand.Result
        do { expanded = try ShortCommand.run(scontrol, ["show", "hostnames", list], timeout: 30) } catch {
            throw LaunchError(host: "", reason: "--launcher slurm: cannot run scontrol: \(error)")
        }
        guard expanded.status == 0 else { throw LaunchError(host: "", reason: "scontrol show hostnames \(list.prefix(80)): \(expanded.lastErrorLine)") }
        let nodes = expanded.text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !nodes.isEmpty else { throw LaunchError(host: "", reason: "--launcher slurm: the allocation \(job) has no nodes") }
        let counts = try cpuCounts(environment["SLURM_JOB_CPUS_PER_NODE"] ?? "", nodes: nodes.count)
        let gpus = try gpuCount(environment["SLURM_GPUS_PER_NODE"])
        return SlurmAllocation(job: job, nodes: nodes, cpus: Dictionary(uniqueKeysWithValues: zip(nodes, counts)), gpusPerNode: gpus)
    }

    /// Expands `SLURM_JOB_CPUS_PER_NODE` (`2(x3),4`: two CPUs on each of three nodes, then four) to `nodes` counts.
    package static func cpuCounts(_ text: String, nodes: Int) throws(LaunchError) -> [Int] {
        var counts: [Int] = []
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "(")
            guard let count = pieces.first.flatMap({ Int($0) }), count >= 1, count <= 1 << 16 else {
                throw LaunchError(host: "", reason: "SLURM_JOB_CPUS_PER_NODE=\(text.prefix(80)): not Slurm's format (e.g. 2(x3),4)")
            }
            var times = 1
            if pieces.count == 2 {
                guard pieces[1].hasPrefix("x"), pieces[1].hasSuffix(")"), let n = Int(pieces[1].dropFirst().dropLast()), n >= 1, n <= 1 << 16 else {
                    throw LaunchError(host: "", reason: "SLURM_JOB_CPUS_PER_NODE=\(text.prefix(80)): not Slurm's format (e.g. 2(x3),4)")
                }
                times = n
            }
            counts += Array(repeating: count, count: times)
            guard counts.count <= nodes else { break }
        }
        guard counts.count == nodes else {
            throw LaunchError(host: "", reason: "SLURM_JOB_CPUS_PER_NODE=\(text.prefix(80)) gives \(counts.count) nodes; the node list has \(nodes)")
        }
        return counts
    }

    /// `SLURM_GPUS_PER_NODE` (`2` or `a100:2`) as a count; 0 when unset.
    package static func gpuCount(_ text: String?) throws(LaunchError) -> Int {
        guard let text, !text.isEmpty else { return 0 }
        guard let count = text.split(separator: ":").last.flatMap({ Int($0) }), count >= 0, count < 1024 else {
            throw LaunchError(host: "", reason: "SLURM_GPUS_PER_NODE=\(text.prefix(40)): expected N or TYPE:N")
        }
        return count
    }

    /// The allocation as a host file: every node, with `slotsPerNode` slots (default: a GPU's or a CPU's each).
    package func hostFile(slotsPerNode: Int?) -> HostFile {
        HostFile(hosts: nodes.enumerated().map { index, node in
            // a GPU node never gets more slots than GPUs: one GPU per process
            let slots = gpusPerNode > 0 ? min(slotsPerNode ?? gpusPerNode, gpusPerNode) : slotsPerNode ?? cpus[node] ?? 1
            return HostEntry(host: node, slots: slots, gpus: Array(0..<gpusPerNode), roles: nil, line: index + 1)
        })
    }
}
