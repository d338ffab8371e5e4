import Foundation
import Launch
import XCTest

/// The launchers' pure parts: Slurm's CPU list, shell quoting, the host file's text, a child's output and
/// end seen while another child (ssh-like, closing what it inherited) still runs.
final class LauncherPartsTests: XCTestCase {
    func testSlurmCPUsPerNode() throws {
        XCTAssertEqual(try SlurmAllocation.cpuCounts("2(x3),4", nodes: 4), [2, 2, 2, 4])
        XCTAssertEqual(try SlurmAllocation.cpuCounts("8", nodes: 1), [8])
        for bad in ["", "2(x3", "x(2)", "2(3)", "-1", "2(x0)"] {
            XCTAssertThrowsError(try SlurmAllocation.cpuCounts(bad, nodes: 3), bad)
        }
        XCTAssertThrowsError(try SlurmAllocation.cpuCounts("2(x2)", nodes: 3), "two nodes' counts for three nodes")
        XCTAssertEqual(try SlurmAllocation.gpuCount("a100:4"), 4)
        XCTAssertEqual(try SlurmAllocation.gpuCount(nil), 0)
        XCTAssertThrowsError(try SlurmAllocation.gpuCount("many"))
    }

    func testAllocationAsHostFile() throws {
        let cpu = SlurmAllocation(job: "7", nodes: ["n1", "n2"], cpus: ["n1": 4, "n2": 2], gpusPerNode: 0)
        XCTAssertEqual(cpu.hostFile(slotsPerNode: nil).text, "n1 slots=4\nn2 slots=2\n")
        XCTAssertEqual(try HostFile.parse(cpu.hostFile(slotsPerNode: 3).text, file: "t"), cpu.hostFile(slotsPerNode: 3).withLines)
        let gpu = SlurmAllocation(job: "7", nodes: ["g1"], cpus: ["g1": 32], gpusPerNode: 2)
        XCTAssertEqual(gpu.hostFile(slotsPerNode: 8).text, "g1 slots=2 gpus=0,1\n", "never more slots than GPUs")
    }

    func testShellQuoting() throws {
        let words = ["plain", "two words", "it's", "$HOME", "`x`", "a\"b", ""]
        let echoed = try ShortCommand.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "printf '%s\\n' " + ShellWords.join(words)], timeout: 10)
        XCTAssertEqual(echoed.text, words.map { $0 + "\n" }.joined())
    }

    func testChildEndsAreSeenWhileAnotherChildRuns() throws {
        // a long child that closes every descriptor it inherited, as ssh does
        let long = try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; sleep 30"])
        defer { kill(long.processIdentifier, SIGKILL) }
        let short = try ShortCommand.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo out; echo err >&2; exit 3"], timeout: 10)
        XCTAssertEqual(short.status, 3)
        XCTAssertEqual(short.text, "out\n")
        XCTAssertEqual(String(decoding: short.stderr, as: UTF8.self), "err\n")
        XCTAssertTrue(long.isRunning)
        kill(long.processIdentifier, SIGKILL)
        XCTAssertTrue(long.wait(seconds: 5))
        XCTAssertEqual(long.terminationReason, .uncaughtSignal)
        XCTAssertEqual(long.terminationStatus, SIGKILL)
        let slow = try ShortCommand.run(URL(fileURLWithPath: "/bin/sleep"), ["10"], timeout: 0.3)
        XCTAssertEqual(slow.status, -1, "killed after its time")
    }
}

private extension HostFile {
    /// The same hosts with the line numbers `parse` gives them.
    var withLines: HostFile {
        HostFile(hosts: hosts.enumerated().map { index, entry in
            var entry = entry
            entry.line = index + 1
            return entry
        })
    }
}
