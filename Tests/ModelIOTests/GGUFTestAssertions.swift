import ModelIO
import XCTest

/// Asserts that `body` throws a `GGUFError` for which `matches` holds, and whose one-line message names `file`.
func assertGGUFError<T>(_ body: @autoclosure () throws -> T, naming file: URL, _ description: String,
                        matches: (GGUFError.Code) -> Bool, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected \(description), but nothing was thrown", line: line)
    } catch let error as GGUFError {
        XCTAssertTrue(matches(error.code), "expected \(description), got: \(error)", line: line)
        let message = String(describing: error)
        XCTAssertTrue(message.contains(file.path), "message does not name the file: \(message)", line: line)
        XCTAssertFalse(message.contains("\n"), "message should be one line: \(message)", line: line)
    } catch {
        XCTFail("expected a GGUFError, got \(type(of: error)): \(error)", line: line)
    }
}
