import XCTest

/// Asserts that a run of the binary refused its input the way every command must: exit status 2,
/// nothing on standard output, and exactly one line on standard error that starts with `error: ` and
/// mentions each of `mentions`. Returns that line.
@discardableResult
package func assertRefused(_ run: RLHFBinary.Run, mentioning mentions: [String] = [], _ what: String = "",
                          file: StaticString = #filePath, line: UInt = #line) -> String {
    XCTAssertEqual(run.status, 2, "\(what): \(run.stderr)", file: file, line: line)
    XCTAssertEqual(run.stdout, "", "\(what): standard output", file: file, line: line)
    let lines = run.stderr.split(separator: "\n").filter { !$0.isEmpty }
    XCTAssertEqual(lines.count, 1, "\(what): \(run.stderr)", file: file, line: line)
    let message = lines.first.map(String.init) ?? ""
    XCTAssertTrue(message.hasPrefix("error: "), "\(what): \(message)", file: file, line: line)
    for needle in mentions {
        XCTAssertTrue(message.contains(needle), "\(what): '\(message)' does not mention '\(needle)'", file: file, line: line)
    }
    return message
}

/// Asserts that `body` throws an error whose description mentions each of `mentions` (a library's refusal
/// of bad input, in the words its command prints). Returns that description.
@discardableResult
package func assertRefused<T>(mentioning mentions: [String], _ what: String = "", file: StaticString = #filePath, line: UInt = #line,
                             _ body: () throws -> T) -> String {
    do {
        _ = try body()
        XCTFail("\(what): accepted", file: file, line: line)
        return ""
    } catch {
        let message = "\(error)"
        for needle in mentions {
            XCTAssertTrue(message.contains(needle), "\(what): '\(message)' does not mention '\(needle)'", file: file, line: line)
        }
        return message
    }
}
