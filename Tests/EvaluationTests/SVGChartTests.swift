@testable import Evaluation
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `SVGChart`: well-formed SVG with one element per data point, escaped text, and nothing but SVG.
final class SVGChartTests: XCTestCase {
    /// The element names of `svg`, in order; fails the test when it is not well-formed XML.
    private func elements(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        final class Names: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) { names.append(name) }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let names = Names()
        parser.delegate = names
        XCTAssertTrue(parser.parse(), "well-formed: \(parser.parserError.map { "\($0)" } ?? "")", file: file, line: line)
        return names.names
    }

    func testLineChartHasAPointPerFiniteValueAndTheReference() {
        let hostile = "<script>alert('x')</script> & co"
        let svg = SVGChart.lines([SVGChart.Series(name: "reward", points: [(0, 0.1), (1, 0.3), (2, .nan), (3, 0.2)]),
                                  SVGChart.Series(name: hostile, points: [(0, 1), (3, 2)])],
                                 title: "KL <target>", reference: 6)
        let names = elements(svg)
        XCTAssertEqual(names.first, "svg")
        XCTAssertEqual(names.filter { $0 == "circle" }.count, 3 + 2, "a circle per finite point")
        XCTAssertEqual(names.filter { $0 == "polyline" }.count, 2)
        XCTAssertTrue(svg.contains("class=\"reference\""))
        XCTAssertFalse(svg.contains("<script"), "text is escaped")
        XCTAssertTrue(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        XCTAssertFalse(names.contains { ["script", "image", "foreignObject", "a", "use"].contains($0) }, "nothing but shapes and text")
    }

    func testHistogramHasABarPerBinAndGroup() {
        let svg = SVGChart.histogram([("base", [1, 0, 3, 2]), ("ppo", [0, 1, 2, 4])], lower: -1, upper: 1, title: "reward")
        XCTAssertEqual(elements(svg).filter { $0 == "rect" }.count, 8)
        XCTAssertEqual(elements(SVGChart.histogram([], lower: 0, upper: 1, title: "empty")).filter { $0 == "rect" }.count, 0)
    }

    func testLabelsAreShort() {
        XCTAssertEqual(SVGChart.format(3), "3")
        XCTAssertEqual(SVGChart.format(0.123456), "0.1235")
        XCTAssertEqual(SVGChart.format(12.34567), "12.346")
        XCTAssertEqual(SVGChart.format(-250.55), "-250.6")
        XCTAssertEqual(SVGChart.format(-1.5e-7), "0", "a tiny negative is 0, never -0")
    }
}
