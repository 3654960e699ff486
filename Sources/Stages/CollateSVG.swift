import Foundation

/// Self-contained SVG drawing for the collating outputs: text measured with Helvetica/Arial metrics (widened so
/// that DejaVu Sans also fits), wrapping, escaping, boxes and arrows. Numbers are written with fixed decimals.
enum SVG {
    static let fontFamily = "'Liberation Sans', Arial, Helvetica, 'DejaVu Sans', sans-serif"

    /// Helvetica advance widths (1/1000 em) of ASCII 32…126.
    private static let widths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]

    /// The width of `text` at `size` px; bold adds 6%; every width is widened by 12% for fonts wider than Arial.
    static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        var total = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            total += (32...126).contains(value) ? widths[value - 32] : value == 0xA0 ? 278 : 600
        }
        return Double(total) / 1000 * size * (bold ? 1.06 : 1) * 1.12
    }

    /// Splits `text` into lines no wider than `maxWidth`, breaking at spaces (a longer word stands alone).
    static func wrap(_ text: String, size: Double, maxWidth: Double, bold: Bool = false) -> [String] {
        var lines: [String] = []
        var current = ""
        // "(n = 12)" never breaks: its spaces are no-break spaces while wrapping.
        let kept = text.replacingOccurrences(of: "(n = ", with: "(n\u{A0}=\u{A0}")
        for word in kept.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if width(candidate, size: size, bold: bold) <= maxWidth || current.isEmpty {
                current = candidate
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines.map { $0.replacingOccurrences(of: "\u{A0}", with: " ") }
    }

    /// XML text escaping.
    static func escape(_ text: String) -> String {
        var out = ""
        for char in text {
            switch char {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(char)
            }
        }
        return out
    }

    /// A coordinate with at most one decimal.
    static func n(_ value: Double) -> String {
        let text = fixed(value, decimals: 1)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// The opening tag of a standalone SVG document of the given size, with a title for screen readers.
    static func open(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "font-family=\"\(fontFamily)\" role=\"img\" aria-label=\"\(escape(title))\">\n<title>\(escape(title))</title>\n"
    }

    /// A text element; wrapped in a link when `href` is given.
    static func text(
        _ content: String, x: Double, y: Double, size: Double, anchor: String = "start", bold: Bool = false, fill: String = "#000", href: String? = nil,
        extra: String = ""
    ) -> String {
        let element = "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\"\(bold ? " font-weight=\"bold\"" : "") fill=\"\(fill)\"\(extra)>\(escape(content))</text>"
        guard let href else { return element + "\n" }
        return "<a href=\"\(escape(href))\">\(element)</a>\n"
    }
}

/// One line of a flow box: its text, bold or not, and the record set it links to in the HTML report.
struct FlowLine {
    var text: String
    var bold = false
    var link: String?
    var indent = false
}

/// The PRISMA 2020 flow diagram (new review, databases and registers plus other methods) as SVG.
enum PrismaFlowSVG {
    private struct Box {
        var x: Double
        var width: Double
        var lines: [FlowLine]
        var fill: String
        var y: Double = 0
        var height: Double = 0
        var wrapped: [(String, FlowLine)] = []
    }

    static let size = 12.0
    static let lineHeight = 15.0
    static let padding = 8.0

    /// Draws the flow; `link(set)` gives the href of a record set, or nil for a standalone SVG without links.
    static func draw(_ flow: PrismaFlow, link: (String) -> String?) -> String {
        let colA = (x: 60.0, w: 250.0), colB = (x: 350.0, w: 260.0), colC = (x: 660.0, w: 190.0), colD = (x: 880.0, w: 190.0)
        let totalWidth = 1090.0
        func count(_ name: String) -> String { "(n = \(flow[name]))" }
        func line(_ text: String, _ set: String? = nil, bold: Bool = false, indent: Bool = false) -> FlowLine {
            FlowLine(text: text, bold: bold, link: set.flatMap(link), indent: indent)
        }
        var a1 = [line("Records identified from:", bold: true), line("Databases \(count("database_results"))", "database_results")]
        for database in flow.databases { a1.append(line("\(database.name) (n = \(database.n))", "database:\(database.name)", indent: true)) }
        a1.append(line("Registers \(count("register_results"))"))
        let b1 = [
            line("Records removed before screening:", bold: true), line("Duplicate records removed \(count("duplicates"))", "duplicates"),
            line("Records marked as ineligible by automation tools \(count("excluded_automatic"))"),
            line("Records removed for other reasons \(count("excluded_other"))"),
        ]
        var b4 = [line("Reports excluded:", bold: true)]
        for reason in flow.dbrReasons { b4.append(line("\(reason.reason) (n = \(reason.n))", "dbr_reason:\(reason.reason)", indent: true)) }
        if flow.dbrReasons.isEmpty { b4.append(line("(n = 0)")) }
        var c1 = [line("Records identified from:", bold: true)]
        for (variable, label) in [("website_results", "Websites"), ("organisation_results", "Organisations"), ("citations_results", "Citation searching")] {
            c1.append(line("\(label) \(count(variable))", variable))
            for kind in flow.otherKinds where kind.variable == variable {
                c1.append(line("\(kind.kind) (n = \(kind.n))", "other_kind:\(kind.kind)", indent: true))
            }
        }
        var d4 = [line("Reports excluded:", bold: true)]
        for reason in flow.otherReasons { d4.append(line("\(reason.reason) (n = \(reason.n))", "other_reason:\(reason.reason)", indent: true)) }
        if flow.otherReasons.isEmpty { d4.append(line("(n = 0)")) }

        let white = "#ffffff"
        var rows: [[Box]] = [
            [Box(x: colA.x, width: colA.w, lines: a1, fill: white), Box(x: colB.x, width: colB.w, lines: b1, fill: white),
             Box(x: colC.x, width: colC.w, lines: c1, fill: white)],
            [Box(x: colA.x, width: colA.w, lines: [line("Records screened", bold: true), line(count("records_screened"), "records_screened")], fill: white),
             Box(x: colB.x, width: colB.w, lines: [line("Records excluded", bold: true), line(count("records_excluded"), "records_excluded")], fill: white)],
            [Box(x: colA.x, width: colA.w, lines: [line("Reports sought for retrieval", bold: true), line(count("dbr_sought_reports"), "dbr_sought_reports")], fill: white),
             Box(x: colB.x, width: colB.w, lines: [line("Reports not retrieved", bold: true), line(count("dbr_notretrieved_reports"), "dbr_notretrieved_reports")], fill: white),
             Box(x: colC.x, width: colC.w, lines: [line("Reports sought for retrieval", bold: true), line(count("other_sought_reports"), "other_sought_reports")], fill: white),
             Box(x: colD.x, width: colD.w, lines: [line("Reports not retrieved", bold: true), line(count("other_notretrieved_reports"), "other_notretrieved_reports")], fill: white)],
            [Box(x: colA.x, width: colA.w, lines: [line("Reports assessed for eligibility", bold: true), line(count("dbr_assessed"), "dbr_assessed")], fill: white),
             Box(x: colB.x, width: colB.w, lines: b4, fill: white),
             Box(x: colC.x, width: colC.w, lines: [line("Reports assessed for eligibility", bold: true), line(count("other_assessed"), "other_assessed")], fill: white),
             Box(x: colD.x, width: colD.w, lines: d4, fill: white)],
            [Box(
                x: colA.x, width: colA.w,
                lines: [line("Studies included in review", bold: true), line(count("new_studies"), "new_studies"),
                        line("Reports of included studies", bold: true), line(count("new_reports"), "new_reports")], fill: white)],
        ]
        let headerTop = 20.0, headerHeight = 34.0
        var y = headerTop + headerHeight + 24
        let rowGap = 34.0
        for r in rows.indices {
            var height = 0.0
            for b in rows[r].indices {
                var wrapped: [(String, FlowLine)] = []
                for item in rows[r][b].lines {
                    let indent = item.indent ? 10.0 : 0
                    for piece in SVG.wrap(item.text, size: size, maxWidth: rows[r][b].width - 2 * padding - indent, bold: item.bold) {
                        wrapped.append((piece, item))
                    }
                }
                rows[r][b].wrapped = wrapped
                height = max(height, Double(wrapped.count) * lineHeight + 2 * padding)
            }
            for b in rows[r].indices {
                rows[r][b].y = y
                rows[r][b].height = height
            }
            y += height + rowGap
        }
        let bottom = y - rowGap
        let totalHeight = bottom + 20

        var out = SVG.open(width: totalWidth, height: totalHeight, title: "PRISMA 2020 flow diagram")
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker></defs>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(totalWidth))\" height=\"\(SVG.n(totalHeight))\" fill=\"#ffffff\"/>\n"
        // Title boxes.
        out += roundRect(x: colA.x, y: headerTop, width: colB.x + colB.w - colA.x, height: headerHeight, fill: "#ffc000")
        out += SVG.text("Identification of new studies via databases and registers", x: (colA.x + colB.x + colB.w) / 2, y: headerTop + 22, size: 14, anchor: "middle", bold: true)
        out += roundRect(x: colC.x, y: headerTop, width: colD.x + colD.w - colC.x, height: headerHeight, fill: "#d9d9d9")
        out += SVG.text("Identification of new studies via other methods", x: (colC.x + colD.x + colD.w) / 2, y: headerTop + 22, size: 14, anchor: "middle", bold: true)
        // Phase bars.
        let phases: [(String, Double, Double)] = [
            ("Identification", rows[0][0].y, rows[0][0].y + rows[0][0].height),
            ("Screening", rows[1][0].y, rows[3][0].y + rows[3][0].height),
            ("Included", rows[4][0].y, rows[4][0].y + rows[4][0].height),
        ]
        for (label, top, end) in phases {
            out += roundRect(x: 10, y: top, width: 32, height: end - top, fill: "#9dc3e6")
            let middle = (top + end) / 2
            out += SVG.text(label, x: 26, y: middle, size: 13, anchor: "middle", bold: true, extra: " transform=\"rotate(-90 26 \(SVG.n(middle)))\" dominant-baseline=\"central\"")
        }
        for row in rows {
            for box in row {
                out += "<rect x=\"\(SVG.n(box.x))\" y=\"\(SVG.n(box.y))\" width=\"\(SVG.n(box.width))\" height=\"\(SVG.n(box.height))\" fill=\"\(box.fill)\" stroke=\"#333\" stroke-width=\"1\"/>\n"
                for (index, item) in box.wrapped.enumerated() {
                    let indent = item.1.indent ? 10.0 : 0
                    out += SVG.text(
                        item.0, x: box.x + padding + indent, y: box.y + padding + 11 + Double(index) * lineHeight, size: size, bold: item.1.bold,
                        fill: item.1.link == nil ? "#000" : "#0b4f9c", href: item.1.link)
                }
            }
        }
        func arrow(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
            "<line x1=\"\(SVG.n(x1))\" y1=\"\(SVG.n(y1))\" x2=\"\(SVG.n(x2))\" y2=\"\(SVG.n(y2))\" stroke=\"#333\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n"
        }
        func right(_ from: Box, _ to: Box) -> String {
            let yMid = from.y + min(from.height, to.height) / 2
            return arrow(from.x + from.width, yMid, to.x, yMid)
        }
        func down(_ from: Box, _ to: Box) -> String { arrow(from.x + from.width / 2, from.y + from.height, to.x + to.width / 2, to.y) }
        let (a, b) = (rows.map { $0[0] }, rows)
        out += right(b[0][0], b[0][1]) + down(a[0], a[1]) + right(b[1][0], b[1][1]) + down(a[1], a[2]) + right(b[2][0], b[2][1])
        out += down(a[2], a[3]) + right(b[3][0], b[3][1]) + down(a[3], a[4])
        let other1 = b[0][2], c3 = b[2][2], c4 = b[3][2]
        out += arrow(other1.x + other1.width / 2, other1.y + other1.height, c3.x + c3.width / 2, c3.y)
        out += right(c3, b[2][3]) + down(c3, c4) + right(c4, b[3][3])
        let included = a[4]
        let elbowY = included.y + included.height / 2
        out += "<polyline points=\"\(SVG.n(c4.x + c4.width / 2)),\(SVG.n(c4.y + c4.height)) \(SVG.n(c4.x + c4.width / 2)),\(SVG.n(elbowY)) \(SVG.n(included.x + included.width)),\(SVG.n(elbowY))\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>\n"
        out += "</svg>\n"
        return out
    }

    private static func roundRect(x: Double, y: Double, width: Double, height: Double, fill: String) -> String {
        "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\" rx=\"8\" fill=\"\(fill)\" stroke=\"#333\" stroke-width=\"1\"/>\n"
    }
}

/// Bar charts of one table: horizontal bars for categories and text, columns for integer values such as years.
enum BarChartSVG {
    /// One bar: its label, count and percentage text, and the record set it links to.
    struct Bar {
        var label: String
        var count: Int
        var percent: String
        var link: String?
    }

    static func horizontal(title: String, note: String, bars: [Bar]) -> String {
        let size = 12.0
        let labelWidth = min(260, max(80, bars.map { SVG.width($0.label, size: size) }.max() ?? 80) + 10)
        let barArea = 420.0
        let left = 20 + labelWidth
        let rowHeight = 22.0
        let top = 56.0
        let width = left + barArea + 110
        let height = top + Double(bars.count) * rowHeight + 40
        let maxCount = max(1, bars.map(\.count).max() ?? 1)
        var out = SVG.open(width: width, height: height, title: title)
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\" fill=\"#ffffff\"/>\n"
        out += SVG.text(title, x: 20, y: 24, size: 15, bold: true)
        out += SVG.text(note, x: 20, y: 42, size: 11, fill: "#555")
        for (index, bar) in bars.enumerated() {
            let y = top + Double(index) * rowHeight
            let length = barArea * Double(bar.count) / Double(maxCount)
            var label = bar.label
            while SVG.width(label, size: size) > labelWidth - 8, label.count > 4 { label = String(label.dropLast(2)) + "…" }
            out += SVG.text(label, x: left - 8, y: y + 15, size: size, anchor: "end")
            out += "<rect x=\"\(SVG.n(left))\" y=\"\(SVG.n(y + 4))\" width=\"\(SVG.n(length))\" height=\"\(SVG.n(rowHeight - 8))\" fill=\"#4a7ab5\"/>\n"
            out += SVG.text("\(bar.count) (\(bar.percent)%)", x: left + length + 6, y: y + 15, size: size, href: bar.link)
        }
        let axisY = top + Double(bars.count) * rowHeight + 4
        out += "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(left))\" y2=\"\(SVG.n(axisY))\" stroke=\"#333\" stroke-width=\"1\"/>\n"
        out += "</svg>\n"
        return out
    }

    static func columns(title: String, note: String, bars: [Bar]) -> String {
        let size = 11.0
        let columnWidth = 34.0
        let left = 50.0
        let top = 70.0
        let plotHeight = 220.0
        let width = max(360, left + Double(bars.count) * columnWidth + 30)
        let height = top + plotHeight + 50
        let maxCount = max(1, bars.map(\.count).max() ?? 1)
        var out = SVG.open(width: width, height: height, title: title)
        out += "<rect x=\"0\" y=\"0\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\" fill=\"#ffffff\"/>\n"
        out += SVG.text(title, x: 20, y: 24, size: 15, bold: true)
        out += SVG.text(note, x: 20, y: 42, size: 11, fill: "#555")
        let baseline = top + plotHeight
        for (index, bar) in bars.enumerated() {
            let x = left + Double(index) * columnWidth
            let length = plotHeight * Double(bar.count) / Double(maxCount)
            out += "<rect x=\"\(SVG.n(x + 4))\" y=\"\(SVG.n(baseline - length))\" width=\"\(SVG.n(columnWidth - 8))\" height=\"\(SVG.n(length))\" fill=\"#4a7ab5\"/>\n"
            out += SVG.text(String(bar.count), x: x + columnWidth / 2, y: baseline - length - 5, size: size, anchor: "middle", href: bar.link)
            out += SVG.text(
                bar.label, x: x + columnWidth / 2, y: baseline + 14, size: size, anchor: "end",
                extra: " transform=\"rotate(-45 \(SVG.n(x + columnWidth / 2)) \(SVG.n(baseline + 14)))\"")
        }
        out += "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(baseline))\" x2=\"\(SVG.n(left + Double(bars.count) * columnWidth))\" y2=\"\(SVG.n(baseline))\" stroke=\"#333\" stroke-width=\"1\"/>\n"
        out += "</svg>\n"
        return out
    }
}
