import HTMLText

/// Inline SVG charts for `rlhf eval`'s self-contained report: no scripts, no fonts fetched, every text
/// escaped; the data points are elements of their own (`circle` per point, `rect` per bar), so a reader
/// or a test can find them.
package enum SVGChart {
    /// One line of a line chart: its name (shown in the legend) and its points.
    package struct Series: Sendable, Equatable {
        package var name: String
        package var points: [(x: Double, y: Double)]

        /// A series.
        package init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }

        package static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.points.elementsEqual(b.points) { $0.x == $1.x && $0.y == $1.y }
        }
    }

    /// The colours of the series, in order (chosen to stay apart in print and for colour-blind readers).
    static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]

    /// `text` escaped for XML and HTML text and attribute values.
    package static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// A line chart of `series` titled `title`, `width`×`height` user units, with a dashed horizontal
    /// line at `reference` when given (a KL target). Non-finite points are left out.
    package static func lines(_ series: [Series], title: String, width: Int = 480, height: Int = 220, reference: Double? = nil) -> String {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let frame = Frame(width: width, height: height, xs: finite.map(\.x), ys: finite.map(\.y) + (reference.map { [$0] } ?? []),
                          legendRows: series.count)
        var body = frame.axes(title: title)
        if let reference, reference.isFinite {
            let y = frame.y(reference)
            body += "<line class=\"reference\" x1=\"\(frame.left)\" y1=\"\(y)\" x2=\"\(frame.right)\" y2=\"\(y)\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>"
        }
        for (index, line) in series.enumerated() {
            let colour = palette[index % palette.count]
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            let path = points.map { "\(frame.x($0.x)),\(frame.y($0.y))" }.joined(separator: " ")
            body += "<g class=\"series\" data-name=\"\(escape(line.name))\"><polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            for point in points {
                body += "<circle class=\"point\" cx=\"\(frame.x(point.x))\" cy=\"\(frame.y(point.y))\" r=\"1.5\" fill=\"\(colour)\"><title>\(escape(line.name)): \(format(point.x)), \(format(point.y))</title></circle>"
            }
            body += frame.legend(line.name, row: index, colour: colour) + "</g>"
        }
        return frame.svg(body, label: title)
    }

    /// A bar chart of `counts` over equal bins from `lower` to `upper` (a histogram), one colour per
    /// group of counts (a policy), the groups' bars side by side within each bin.
    package static func histogram(_ groups: [(name: String, counts: [Int])], lower: Double, upper: Double, title: String,
                                  width: Int = 480, height: Int = 220) -> String {
        let bins = groups.map(\.counts.count).max() ?? 0
        let highest = groups.flatMap(\.counts).max() ?? 0
        let frame = Frame(width: width, height: height, xs: [lower, upper], ys: [0, Double(max(highest, 1))], legendRows: groups.count)
        var body = frame.axes(title: title)
        guard bins > 0 else { return frame.svg(body, label: title) }
        let binWidth = (frame.right - frame.left) / Double(bins)
        let barWidth = binWidth / Double(max(groups.count, 1))
        for (index, group) in groups.enumerated() {
            let colour = palette[index % palette.count]
            body += "<g class=\"series\" data-name=\"\(escape(group.name))\">"
            for (bin, count) in group.counts.enumerated() {
                let x = frame.left + Double(bin) * binWidth + Double(index) * barWidth
                let y = frame.y(Double(count))
                body += "<rect class=\"bar\" x=\"\(x)\" y=\"\(y)\" width=\"\(max(barWidth - 1, 0.5))\" height=\"\(frame.bottom - y)\" fill=\"\(colour)\"><title>\(escape(group.name)): \(count)</title></rect>"
            }
            body += frame.legend(group.name, row: index, colour: colour) + "</g>"
        }
        return frame.svg(body, label: title)
    }

    /// A number for a label: up to 4 significant digits.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e9 { return "\(Int(value))" }
        let magnitude = abs(value)
        let digits = magnitude >= 100 ? 1 : magnitude >= 1 ? 3 : 4
        var text = "\((value * pow10(digits)).rounded() / pow10(digits))"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text == "-0" ? "0" : text  // a tiny negative rounds to zero, never "-0"
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }

    /// The plotting area of a chart and its scales.
    struct Frame {
        let width: Int, height: Int
        let left = 44.0
        let top: Double, right: Double, bottom: Double
        let xRange: (Double, Double), yRange: (Double, Double)

        /// A frame whose plotting area starts below the title and `legendRows` legend lines.
        init(width: Int, height: Int, xs: [Double], ys: [Double], legendRows: Int = 0) {
            self.width = width
            self.height = height
            top = 20 + 12 * Double(legendRows)
            right = Double(width) - 8
            bottom = Double(height) - 22
            func range(_ values: [Double]) -> (Double, Double) {
                guard let low = values.min(), let high = values.max() else { return (0, 1) }
                return low == high ? (low - 0.5, high + 0.5) : (low, high)
            }
            xRange = range(xs)
            yRange = range(ys)
        }

        func x(_ value: Double) -> Double { left + (value - xRange.0) / (xRange.1 - xRange.0) * (right - left) }
        func y(_ value: Double) -> Double { bottom - (value - yRange.0) / (yRange.1 - yRange.0) * (bottom - top) }

        /// The title, the axes and the ranges' labels.
        func axes(title: String) -> String {
            "<text x=\"\(left)\" y=\"13\" font-size=\"12\" font-weight=\"bold\">\(SVGChart.escape(title))</text>"
                + "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(right)\" y2=\"\(bottom)\" stroke=\"#333\"/>"
                + "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"#333\"/>"
                + "<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\" font-size=\"10\">\(SVGChart.format(yRange.1))</text>"
                + "<text x=\"\(left - 4)\" y=\"\(bottom)\" text-anchor=\"end\" font-size=\"10\">\(SVGChart.format(yRange.0))</text>"
                + "<text x=\"\(left)\" y=\"\(bottom + 14)\" font-size=\"10\">\(SVGChart.format(xRange.0))</text>"
                + "<text x=\"\(right)\" y=\"\(bottom + 14)\" text-anchor=\"end\" font-size=\"10\">\(SVGChart.format(xRange.1))</text>"
        }

        /// The legend line of series `row`: its name in its colour, right-aligned above the plotting area.
        func legend(_ name: String, row: Int, colour: String) -> String {
            "<text x=\"\(right)\" y=\"\(27 + 12 * Double(row))\" text-anchor=\"end\" fill=\"\(colour)\" font-size=\"10\">\(SVGChart.escape(name))</text>"
        }

        /// The whole `svg` element around `body`, scaling with its container (phones, print).
        func svg(_ body: String, label: String) -> String {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(SVGChart.escape(label))\" "
                + "style=\"max-width:100%;height:auto\" font-family=\"sans-serif\">" + body + "</svg>"
        }
    }
}
