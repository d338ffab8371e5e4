// The protocol's fuzzer (`ProtocolFuzzer.run`). Built with `--sanitize fuzzer --sanitize address
// -Xswiftc -DFUZZING` by `make fuzz`, it is libFuzzer (whose `main` it links): `ProtocolFuzzer [libFuzzer
// flags] CORPUS...`. Built plainly, it replays inputs: `ProtocolFuzzer FILE_OR_FOLDER...` runs each and
// fails on the first broken invariant, and `ProtocolFuzzer --write-seeds DIR` writes the seed inputs
// (`FuzzSeeds`) into DIR.
import Foundation
import ProtocolFuzzing

#if FUZZING
/// libFuzzer's callback: runs one input; a broken invariant ends the process (libFuzzer then keeps the
/// input as a crash).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let violations = ProtocolFuzzer.run(input).violations
    if !violations.isEmpty { fatalError(violations.joined(separator: "; ")) }
    return 0
}
#else
/// The replayer's entry point.
@main
enum ProtocolFuzzerMain {
    /// The files under each path (a file, or a folder's files).
    static func inputFiles(_ paths: [String]) -> [URL] {
        paths.flatMap { path -> [URL] in
            let url = URL(fileURLWithPath: path)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [url] }
            return names.sorted().filter { !$0.hasPrefix(".") }.map { url.appendingPathComponent($0) }
        }
    }

    static func fail(_ line: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("error: \(line)\n".utf8))
        exit(status)
    }

    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            let folder = URL(fileURLWithPath: arguments[2])
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for seed in FuzzSeeds.all() { try Data(seed.bytes).write(to: folder.appendingPathComponent("seed-\(seed.name)")) }
            } catch {
                fail("cannot write the seeds to \(folder.path): \(error)", status: 2)
            }
            print("wrote \(FuzzSeeds.all().count) seeds to \(folder.path)")
            return
        }
        var replayed = 0
        for file in inputFiles(Array(arguments.dropFirst())) {
            guard let bytes = FileManager.default.contents(atPath: file.path) else { fail("cannot read \(file.path)", status: 2) }
            let violations = ProtocolFuzzer.run(Array(bytes)).violations
            if !violations.isEmpty { fail("\(file.path): \(violations.joined(separator: "; "))", status: 1) }
            replayed += 1
        }
        print("replayed \(replayed) inputs: no invariant broken")
    }
}
#endif
