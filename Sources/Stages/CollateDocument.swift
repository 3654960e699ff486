import Foundation

/// A piece of running text in the report: plain text, or a number with the records behind it.
enum Inline: Sendable {
    case text(String)
    /// A number as written, the title of its record list and the record ids.
    case number(String, title: String, ids: [String])
    /// A number printed in the paper (no records behind it: shown, never linked).
    case paper(String)
}

/// A block of the report, rendered both as Markdown and as HTML.
enum Block: Sendable {
    case heading(Int, String)
    case paragraph([Inline])
    case bullets([[Inline]])
    case table(header: [String], rows: [[[Inline]]], numeric: [Bool])
    /// A figure drawn inline in HTML (its numbers linked); Markdown names the SVG file.
    case figure(ReportFigure, file: String, caption: String)
}

/// The figures the report draws.
enum ReportFigure: Sendable {
    case flow(PrismaFlow)
    case frequency(FrequencyTable)
}

/// The record lists the HTML report links to, one anchor per distinct list.
struct RecordLists {
    var lists: [(anchor: String, title: String, ids: [String])] = []
    private var byKey: [String: String] = [:]

    mutating func anchor(title: String, ids: [String]) -> String {
        let key = ids.joined(separator: "\n")
        if let anchor = byKey[key] { return anchor }
        let anchor = "records-\(lists.count + 1)"
        byKey[key] = anchor
        lists.append((anchor, title, ids))
        return anchor
    }
}

/// Renders report blocks as Markdown and as one self-contained HTML page.
struct ReportDocument {
    var title: String
    var blocks: [Block]

    var markdown: String {
        var out = "# \(title)\n"
        for block in blocks {
            out += "\n"
            switch block {
            case .heading(let level, let text): out += String(repeating: "#", count: level + 1) + " " + text + "\n"
            case .paragraph(let inlines): out += Self.plain(inlines) + "\n"
            case .bullets(let items): out += items.map { "- " + Self.plain($0) }.joined(separator: "\n") + "\n"
            case .table(let header, let rows, let numeric):
                out += "| " + header.map(markdownCell).joined(separator: " | ") + " |\n"
                out += "|" + numeric.map { $0 ? "---:|" : "---|" }.joined() + "\n"
                for row in rows { out += "| " + row.map { markdownCell(Self.plain($0)) }.joined(separator: " | ") + " |\n" }
            case .figure(_, let file, let caption): out += "![\(caption)](\(file))\n"
            }
        }
        return out
    }

    static func plain(_ inlines: [Inline]) -> String {
        inlines.map { inline in
            switch inline {
            case .text(let text), .number(let text, _, _), .paper(let text): text
            }
        }.joined()
    }

    /// The HTML page: inline CSS and SVG, every derived number a link to the list of its records at the end.
    func html(records: [String: RecordSummary]) -> String {
        var lists = RecordLists()
        func inline(_ items: [Inline]) -> String {
            items.map { item in
                switch item {
                case .text(let text): return htmlEscape(text)
                case .paper(let text): return "<span class=\"paper\">\(htmlEscape(text))</span>"
                case .number(let text, let title, let ids):
                    let anchor = lists.anchor(title: title, ids: ids)
                    return "<a class=\"n\" href=\"#\(anchor)\">\(htmlEscape(text))</a>"
                }
            }.joined()
        }
        var body = "<h1>\(htmlEscape(title))</h1>\n"
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                body += "<h\(level + 1) id=\"\(slug(text))\">\(htmlEscape(text))</h\(level + 1)>\n"
            case .paragraph(let items): body += "<p>\(inline(items))</p>\n"
            case .bullets(let items): body += "<ul>\n" + items.map { "<li>\(inline($0))</li>\n" }.joined() + "</ul>\n"
            case .table(let header, let rows, let numeric):
                body += "<table>\n<thead><tr>" + header.map { "<th>\(htmlEscape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
                for row in rows {
                    body += "<tr>" + zip(row, numeric).map { "<td\($0.1 ? " class=\"num\"" : "")>\(inline($0.0))</td>" }.joined() + "</tr>\n"
                }
                body += "</tbody>\n</table>\n"
            case .figure(let figure, _, let caption):
                let svg: String
                switch figure {
                case .flow(let flow):
                    svg = PrismaFlowSVG.draw(flow) { set in
                        "#" + lists.anchor(title: PrismaFlow.title(of: set), ids: flow.sets[set] ?? [])
                    }
                case .frequency(let table):
                    svg = table.chart { value, ids in "#" + lists.anchor(title: "\(table.variable.name) = \(value)", ids: ids) }
                }
                body += "<figure>\n" + svg + "<figcaption>\(htmlEscape(caption))</figcaption>\n</figure>\n"
            }
        }
        body += "<h2 id=\"records\">Records behind the numbers</h2>\n<p>Each number above links to the records it counts; the lists follow in order of first use.</p>\n"
        for list in lists.lists {
            body += "<section class=\"records\" id=\"\(list.anchor)\">\n<h3>\(htmlEscape(list.title)) (\(list.ids.count))</h3>\n"
            if list.ids.isEmpty {
                body += "<p>No records.</p>\n"
            } else {
                body += "<ol>\n"
                for id in list.ids {
                    body += "<li><code>\(htmlEscape(id))</code> \(htmlEscape(records[id]?.citation ?? ""))</li>\n"
                }
                body += "</ol>\n"
            }
            body += "</section>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(htmlEscape(title))</title>
            <style>
            body { font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; max-width: 1120px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
            h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.92em; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
            th { background: #f0f3f7; } td.num { text-align: right; white-space: nowrap; }
            a.n { color: #0b4f9c; font-weight: bold; text-decoration: none; border-bottom: 1px dotted #0b4f9c; }
            span.paper { color: #8a3b00; }
            figure { margin: 1em 0; overflow-x: auto; } figcaption { font-size: 0.9em; color: #555; }
            section.records { border-top: 1px solid #eee; } section.records:target { background: #fff7d6; }
            section.records ol { font-size: 0.88em; } code { font-size: 0.95em; }
            </style>
            </head>
            <body>

            """ + body + "</body>\n</html>\n"
    }
}

/// A fragment id from a heading: lower-case letters and digits, other runs of characters as one `-`.
func slug(_ text: String) -> String {
    var out = ""
    for char in text.lowercased() {
        if char.isASCII && (char.isLetter || char.isNumber) {
            out.append(char)
        } else if !out.isEmpty && out.last != "-" {
            out.append("-")
        }
    }
    return out.hasSuffix("-") ? String(out.dropLast()) : out
}

/// HTML text escaping.
func htmlEscape(_ text: String) -> String { SVG.escape(text) }
