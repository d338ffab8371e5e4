@testable import CUDA
import XCTest

/// The dlopen layer: a missing library or function is a one-line error naming it, a found function is
/// callable through its declared C type, and the search folders come from RLHF_CUDA_LIBRARY_PATH first.
final class CUDALibraryLoadingTests: XCTestCase {
    func testMissingLibraryIsOneLineNamingIt() {
        XCTAssertThrowsError(try DynamicLibrary.open("libno-such-cuda.so.12", purpose: "a test library", directories: ["/nonexistent"])) {
            guard case let .libraryMissing(library, purpose, _) = $0 as? CUDAError else { return XCTFail("\($0)") }
            XCTAssertEqual(library, "libno-such-cuda.so.12")
            XCTAssertEqual(purpose, "a test library")
            let line = "\($0)"
            XCTAssertFalse(line.contains("\n"), line)
            XCTAssertTrue(line.hasPrefix("cannot open libno-such-cuda.so.12 (a test library)"), line)
            XCTAssertTrue(line.contains("RLHF_CUDA_LIBRARY_PATH"), line)
        }
    }

    func testMissingFunctionIsNamed() throws {
        let libc = try DynamicLibrary.open("libc.so.6", purpose: "C", directories: [])
        XCTAssertThrowsError(try libc.function("cuInit", as: (@convention(c) (UInt32) -> Int32).self)) {
            XCTAssertEqual($0 as? CUDAError, .symbolMissing(library: "libc.so.6", symbol: "cuInit"))
            XCTAssertEqual("\($0)", "libc.so.6 has no cuInit: the library is too old for this build")
        }
    }

    func testFoundFunctionIsCallableThroughItsDeclaredType() throws {
        let libc = try DynamicLibrary.open("libc.so.6", purpose: "C", directories: ["/nonexistent"])
        let abs = try libc.function("abs", as: (@convention(c) (Int32) -> Int32).self)
        XCTAssertEqual(abs(-42), 42)
    }

    func testSearchFoldersFromTheEnvironmentComeFirst() {
        XCTAssertEqual(CUDALibrarySearch.preferred(environment: ["RLHF_CUDA_LIBRARY_PATH": "/a:/b::/c"]), ["/a", "/b", "/c"])
        XCTAssertEqual(CUDALibrarySearch.preferred(environment: [:]), [])
        // the fallback lists only folders that exist
        for folder in CUDALibrarySearch.fallback(wheel: "cublas") {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder), folder)
        }
    }

    func testDriverErrorsAreOneLine() {
        let errors: [CUDAError] = [.noSuchDevice(index: 2, visible: 1), .noSuchDevice(index: 0, visible: 0),
                                   .compile(program: "norms.cu", log: "line 1 error\nline 2\nline 3\nline 4"),
                                   .driver(call: "cuMemAlloc", code: 2, message: "out of memory"), .cublas(call: "cublasSgemm", status: 13)]
        for error in errors { XCTAssertFalse("\(error)".contains("\n"), "\(error)") }
        XCTAssertEqual("\(CUDAError.noSuchDevice(index: 2, visible: 1))", "--device cuda:2: only 1 CUDA device is visible (cuda:0-0)")
    }

    func testArchitectureFollowsTheDeviceWithinNVRTCsRange() {
        XCTAssertEqual(CUDADevice.architecture(for: (9, 0)), "compute_90")
        XCTAssertEqual(CUDADevice.architecture(for: (8, 6)), "compute_86")
        XCTAssertEqual(CUDADevice.architecture(for: (12, 0)), "compute_90")
        XCTAssertEqual(CUDADevice.architecture(for: (3, 5)), "compute_52")
    }
}
