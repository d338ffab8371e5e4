import Tensor

/// Buffers, uploads, downloads, copy, fill and zero, at offsets into buffers of odd sizes.
package enum MemoryCases {
    package static let all: [BackendCheckCase] = [
        BackendCheckCase("makeBuffer zeroed", function: "makeBuffer") { run in
            let counts = [1, run.rng.int(in: 2...999), 70_001]
            run.describe("counts=\(counts.map(String.init).joined(separator: ","))")
            for count in counts {
                let fresh = run.freshFloats(count)  // [count]
                run.expectClose("buffer[\(count)]", fresh)
            }
        },
        BackendCheckCase("upload/download at offsets", function: "upload") { run in
            let count = run.rng.int(in: 300...3000), offset = run.rng.int(in: 1...77), length = run.rng.int(in: 1...(count - offset))
            run.describe("count=\(count) offset=\(offset) length=\(length)")
            let buffer = run.randomFloats(count)  // [count]
            let values = run.rng.floats(length, in: -100...100)
            run.both { b, s in b.upload(values, to: buffer[s] + offset) }
            run.expectClose("buffer", buffer)
            // a download of part of a buffer, from an offset
            let partOffset = run.rng.int(in: 0...(count - 1)), partLength = run.rng.int(in: 1...(count - partOffset))
            run.expectClose("download[\(partOffset)..<\(partOffset + partLength)]",
                            candidate: run.candidate.download(buffer[.candidate] + partOffset, count: partLength),
                            reference: run.reference.download(buffer[.reference] + partOffset, count: partLength))
        },
        BackendCheckCase("copy at offsets", function: "copy") { run in
            let count = run.rng.int(in: 100...5000), from = run.rng.int(in: 0...50), to = run.rng.int(in: 0...50)
            let length = count - max(from, to)
            run.describe("count=\(count) from=\(from) to=\(to) length=\(length)")
            let source = run.randomFloats(count), destination = run.randomFloats(count)  // [count] each
            run.both { b, s in b.copy(from: source[s] + from, to: destination[s] + to, count: length) }
            run.expectClose("destination", destination)
            run.expectClose("source", source)
        },
        BackendCheckCase("fill at an offset", function: "fill") { run in
            let count = run.rng.int(in: 100...5000), offset = run.rng.int(in: 0...99), length = run.rng.int(in: 1...(count - offset))
            let value = run.rng.float(in: -3...3)
            run.describe("count=\(count) offset=\(offset) length=\(length)")
            let buffer = run.randomFloats(count)  // [count]
            run.both { b, s in b.fill(buffer[s] + offset, count: length, value: value) }
            run.expectClose("buffer", buffer)
        },
        BackendCheckCase("zero at an offset", function: "zero") { run in
            let count = run.rng.int(in: 100...5000), offset = run.rng.int(in: 0...99), length = run.rng.int(in: 1...(count - offset))
            run.describe("count=\(count) offset=\(offset) length=\(length)")
            let buffer = run.randomFloats(count)  // [count]
            run.both { b, s in b.zero(buffer[s] + offset, count: length) }
            run.expectClose("buffer", buffer)
        },
        // Token buffers cannot be downloaded: the ids are read back through an embedding whose rows differ.
        BackendCheckCase("token upload via embeddingForward", function: "upload(tokens)") { run in
            let count = run.rng.int(in: 20...300), offset = run.rng.int(in: 1...10), length = run.rng.int(in: 1...(count - offset))
            let V = run.rng.int(in: 2...200), C = run.rng.int(in: 1...9)
            run.describe("count=\(count) offset=\(offset) length=\(length) V=\(V) C=\(C)")
            let ids = run.freshTokens(count)  // [count]: zero but for the uploaded run
            let values = run.rng.ids(length, below: V)
            run.both { b, s in b.upload(values, to: ids[s] + offset) }
            let table = run.randomFloats(V * C)  // [V,C]
            let out = run.randomFloats(count * C)  // [count,C]
            run.both { b, s in
                b.embeddingForward(out: out[s], ids: ids[s], table: table[s], rows: count, channels: C, accumulate: false)
            }
            run.expectClose("table rows by id", out)
        },
    ]
}
