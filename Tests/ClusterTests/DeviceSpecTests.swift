import Launch
import XCTest

/// `--device`: the forms it takes, the errors it gives, and real pinning of a child process's cores.
final class DeviceSpecTests: XCTestCase {
    func testForms() throws {
        XCTAssertEqual(try DeviceSpec.parse("cpu"), .cpu(cores: nil))
        XCTAssertEqual(try DeviceSpec.parse("cpu:2-3"), .cpu(cores: [2, 3]))
        XCTAssertEqual(try DeviceSpec.parse("cpu:0,2-4"), .cpu(cores: [0, 2, 3, 4]))
        XCTAssertEqual(try DeviceSpec.parse("cuda:1"), .cuda(1))
        for bad in ["gpu:0", "cpu:", "cpu:3-1", "cpu:1,1", "cpu:-1", "cpu:a", "cuda:", "cuda:-2", "cpu:0-99999"] {
            XCTAssertThrowsError(try DeviceSpec.parse(bad), bad) {
                XCTAssertEqual(($0 as? DeviceError), .malformed(bad))
            }
        }
        // cuda:N picks the N-th GPU the process may see, and pins it as the only one
        XCTAssertEqual(try DeviceSpec.gpuEntry(3, environment: [:]), "3")
        XCTAssertEqual(try DeviceSpec.gpuEntry(1, environment: ["CUDA_VISIBLE_DEVICES": "4, 6"]), "6")
        XCTAssertThrowsError(try DeviceSpec.gpuEntry(2, environment: ["CUDA_VISIBLE_DEVICES": "4,6"])) {
            XCTAssertEqual(($0 as? DeviceError), .noSuchGPU(2, visible: "4,6"))
        }
        let beyond = (DeviceSpec.allowedCores().max() ?? 0) + 1
        XCTAssertThrowsError(try DeviceSpec.cpu(cores: [beyond]).apply()) {
            XCTAssertEqual(($0 as? DeviceError), .noSuchCore(beyond, available: DeviceSpec.allowedCores()))
        }
    }
}
