import Models
import XCTest

/// Asserts that two parameter stores hold the same tensors (names in order, shapes) with the same values,
/// bit for bit; reports the first difference only.
package func assertSameParameters(_ actual: ParameterStore, _ expected: ParameterStore, _ what: String = "",
                                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.specs.map(\.name), expected.specs.map(\.name), "\(what): tensor names", file: file, line: line)
    let a = actual.backend.download(actual.values.pointer, count: actual.count)
    let b = expected.backend.download(expected.values.pointer, count: expected.count)
    for spec in expected.specs {
        guard let other = actual.spec(named: spec.name), other.shape == spec.shape else {
            XCTFail("\(what): \(spec.name) is missing or shaped differently", file: file, line: line); return
        }
        if let i = (0..<spec.count).first(where: { a[other.offset + $0].bitPattern != b[spec.offset + $0].bitPattern }) {
            XCTFail("\(what): \(spec.name)[\(i)] is \(a[other.offset + i]), expected \(b[spec.offset + i])", file: file, line: line)
            return
        }
    }
}
