@testable import ModelIO
import TestSupport
import XCTest

/// Broken or foreign files: each is a typed one-line error naming the file, never a crash.
final class GGUFBadInputTests: XCTestCase {
    private func validWriter() -> GGUFTestWriter {
        var writer = GGUFTestWriter()
        writer.metadata = [("general.architecture", .string("llama")), ("general.name", .string("tiny"))]
        writer.tensors = [.f32("t.weight", shape: [4, 8], values: (0..<32).map(Float.init))]
        return writer
    }

    func testBadMagic() throws {
        var writer = validWriter()
        writer.magic = Array("GGML".utf8)
        let url = try writer.write()
        assertGGUFError(try GGUFFile(url: url), naming: url, "bad magic") {
            if case .badMagic(_, [0x47, 0x47, 0x4D, 0x4C]) = $0 { return true } else { return false }
        }
    }

    func testUnsupportedVersion() throws {
        var writer = validWriter()
        writer.version = 1
        let url = try writer.write()
        assertGGUFError(try GGUFFile(url: url), naming: url, "unsupported version") {
            if case .unsupportedVersion(_, 1) = $0 { return true } else { return false }
        }
    }

    func testUnknownQuantizationTypeID() throws {
        var writer = validWriter()
        writer.tensors[0].typeID = 99
        let url = try writer.write()
        assertGGUFError(try GGUFFile(url: url), naming: url, "unknown tensor type") {
            if case .unknownTensorType(_, "t.weight", 99) = $0 { return true } else { return false }
        }
    }

    func testKnownButUnsupportedTypeFailsOnlyWhenDequantized() throws {
        var writer = validWriter()
        // one Q5_K super-block (256 elements, 176 bytes)
        writer.tensors = [GGUFTestTensor(name: "k.weight", dimensions: [256], typeID: 13, data: [UInt8](repeating: 0, count: 176))]
        let url = try writer.write()
        let file = try GGUFFile(url: url)
        XCTAssertEqual(file.tensor(named: "k.weight")?.type, .q5_K)
        assertGGUFError(try file.dequantize("k.weight"), naming: url, "unsupported type") {
            if case .unsupportedTensorType(_, "k.weight", "Q5_K") = $0 { return true } else { return false }
        }
    }

    func testRowLengthNotWholeBlocks() throws {
        var writer = validWriter()
        writer.tensors = [GGUFTestTensor(name: "q.weight", dimensions: [40, 1], typeID: 8, data: [UInt8](repeating: 0, count: 68))]
        let url = try writer.write()
        assertGGUFError(try GGUFFile(url: url), naming: url, "invalid tensor info") {
            if case .invalidTensorInfo(_, "q.weight", _) = $0 { return true } else { return false }
        }
    }

    func testUnknownMetadataValueType() throws {
        var writer = validWriter()
        writer.metadata.append(("weird", .raw(typeID: 42, payload: [1, 2, 3, 4])))
        let url = try writer.write()
        assertGGUFError(try GGUFFile(url: url), naming: url, "unknown value type") {
            if case .unknownValueType(_, "weird", 42) = $0 { return true } else { return false }
        }
    }

    func testDuplicateKey() throws {
        var writer = validWriter()
        writer.metadata.append(("general.name", .string("again")))
        let url = try writer.write()
        assertGGUFError(try GGUFFile(url: url), naming: url, "duplicate key") {
            if case .duplicate(_, "general.name") = $0 { return true } else { return false }
        }
    }

    func testEmptyAndMissingFiles() throws {
        let empty = try GGUFTestFiles.write([], named: "empty.gguf")
        assertGGUFError(try GGUFFile(url: empty), naming: empty, "truncated") {
            if case .truncated(_, "magic", _, _, 0) = $0 { return true } else { return false }
        }
        let missing = empty.deletingLastPathComponent().appendingPathComponent("absent.gguf")
        assertGGUFError(try GGUFFile(url: missing), naming: missing, "cannot open") {
            if case .cannotOpen = $0 { return true } else { return false }
        }
    }

    func testSyntheticCutsAtEveryRegion() throws {
        let bytes = validWriter().bytes()
        // header only, inside a key, inside the tensor index, inside the tensor data
        for cut in [24, 40, bytes.count - 140, bytes.count - 1] {
            let url = try GGUFTestFiles.write(Array(bytes.prefix(cut)), named: "cut-\(cut).gguf")
            assertGGUFError(try GGUFFile(url: url), naming: url, "truncated at \(cut)") {
                if case .truncated = $0 { return true } else { return false }
            }
        }
        let whole = try GGUFTestFiles.write(bytes, named: "whole.gguf")
        XCTAssertNoThrow(try GGUFFile(url: whole), "the uncut file is valid, so the cuts are what fail")
    }

    func testRealFileCutInHeaderMetadataAndData() throws {
        let source = TestPaths.smolLM2GGUF
        try requireFile(FileManager.default.fileExists(atPath: source.path), "run `make models` for \(source.path)")
        let headerOnly = try GGUFTestFiles.prefix(of: source, count: 24, named: "smol-header.gguf")
        assertGGUFError(try GGUFFile(url: headerOnly), naming: headerOnly, "truncated header") {
            if case let .truncated(_, what, _, _, 24) = $0 { return what.contains("metadata entry 0") } else { return false }
        }
        let inMetadata = try GGUFTestFiles.prefix(of: source, count: 1_000_000, named: "smol-1MB.gguf")
        assertGGUFError(try GGUFFile(url: inMetadata), naming: inMetadata, "truncated metadata") {
            if case let .truncated(_, what, _, _, _) = $0 { return what.contains("tokenizer.ggml") } else { return false }
        }
        let inData = try GGUFTestFiles.prefix(of: source, count: 4_000_000, named: "smol-4MB.gguf")
        assertGGUFError(try GGUFModel.load(url: inData), naming: inData, "truncated tensor data") {
            if case let .truncated(_, what, _, _, 4_000_000) = $0 { return what == "data of tensor 'token_embd.weight'" }
            return false
        }
    }

    func testUnknownArchitecture() throws {
        var writer = validWriter()
        writer.metadata[0] = ("general.architecture", .string("mamba"))
        let url = try writer.write()
        assertGGUFError(try GGUFModel.load(url: url), naming: url, "unknown architecture") {
            if case .unknownArchitecture(_, "mamba") = $0 { return true } else { return false }
        }
    }
}
