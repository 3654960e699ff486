import Bibliography
import Foundation
import RunnerCore

/// Counts of one charted variable: per value, the studies that have it.
struct FrequencyTable: Sendable {
    var variable: CollateVariable
    var rows: [(value: String, ids: [String])]
    /// The number of charted studies (the denominator of every percentage).
    var studies: Int

    /// Counts `variable` over the charted studies; categories keep the codebook's order (zeros included), integers
    /// go in ascending order, text by count; `not-reported` and empty cells come last.
    static func count(_ variable: CollateVariable, in charted: ChartedTable) -> FrequencyTable {
        var ids: [String: [String]] = [:]
        for study in charted.studies {
            let values = study.values[variable.name] ?? []
            for raw in values.isEmpty ? ["(no value)"] : values {
                let value = variable.kind == .integer ? (Int(raw).map(String.init) ?? raw) : raw
                if ids[value]?.last != study.id { ids[value, default: []].append(study.id) }
            }
        }
        let trailing = ["not-reported", "(no value)"]
        var order: [String]
        switch variable.kind {
        case .category:
            order = variable.allowed.filter { !trailing.contains($0) }
            order += ids.keys.filter { !order.contains($0) && !trailing.contains($0) }.sorted()
        case .integer:
            // Every integer from the smallest to the largest (zeros included, so that years read as a time line).
            let numbers = ids.keys.compactMap { Int($0) }
            if let low = numbers.min(), let high = numbers.max(), high - low <= 200 {
                order = (low...high).map(String.init)
            } else {
                order = numbers.sorted().map(String.init)
            }
        case .text:
            order = ids.keys.filter { !trailing.contains($0) }.sorted { (ids[$0]?.count ?? 0, $1) > (ids[$1]?.count ?? 0, $0) }
        }
        for value in trailing where ids[value] != nil || (value == "not-reported" && variable.allowed.contains(value)) { order.append(value) }
        return FrequencyTable(variable: variable, rows: order.map { ($0, ids[$0] ?? []) }, studies: charted.studies.count)
    }

    var note: String {
        variable.multiple
            ? "Multiple choice: a study may have several values, so the percentages (of \(studies) studies) add up to more than 100."
            : "Single choice; percentages of \(studies) studies."
    }

    var csv: String {
        var out = CSVTable.line(["value", "n", "percent"])
        for row in rows { out += CSVTable.line([row.value, String(row.ids.count), percentText(row.ids.count, of: studies)]) }
        return out
    }

    var markdown: String {
        var out = "# \(variable.name)\n\n"
        if !variable.description.isEmpty { out += variable.description + "\n\n" }
        out += note + "\n\n| value | n | % |\n|---|---:|---:|\n"
        for row in rows { out += "| \(markdownCell(row.value)) | \(row.ids.count) | \(percentText(row.ids.count, of: studies)) |\n" }
        if !variable.multiple { out += "| **total** | \(studies) | \(percentText(studies, of: studies)) |\n" }
        return out
    }

    /// The bar chart of this table: columns for integers (years), horizontal bars otherwise.
    func chart(link: (String, [String]) -> String?) -> String {
        let bars = rows.map { BarChartSVG.Bar(label: $0.value, count: $0.ids.count, percent: percentText($0.ids.count, of: studies), link: link($0.value, $0.ids)) }
        let title = "Studies by \(variable.name) (n = \(studies))"
        if variable.kind == .integer { return BarChartSVG.columns(title: title, note: note, bars: bars) }
        return BarChartSVG.horizontal(title: title, note: note, bars: bars)
    }
}

/// A cross-tabulation of two charted variables: per pair of values, the studies that have both.
struct CrossTable: Sendable {
    var rowVariable: FrequencyTable
    var columnVariable: FrequencyTable
    /// cells[row][column]: the ids of the studies with both values.
    var cells: [[[String]]]

    static func count(rows: FrequencyTable, columns: FrequencyTable) -> CrossTable {
        var cells: [[[String]]] = []
        for row in rows.rows {
            let rowIDs = Set(row.ids)
            cells.append(columns.rows.map { column in column.ids.filter { rowIDs.contains($0) } })
        }
        return CrossTable(rowVariable: rows, columnVariable: columns, cells: cells)
    }

    var name: String { "\(rowVariable.variable.name)-by-\(columnVariable.variable.name)" }

    var csv: String {
        var out = CSVTable.line([rowVariable.variable.name] + columnVariable.rows.map(\.value) + ["total"])
        for (index, row) in rowVariable.rows.enumerated() {
            out += CSVTable.line([row.value] + cells[index].map { String($0.count) } + [String(row.ids.count)])
        }
        out += CSVTable.line(["total"] + columnVariable.rows.map { String($0.ids.count) } + [String(rowVariable.studies)])
        return out
    }

    var markdown: String {
        var out = "# \(rowVariable.variable.name) × \(columnVariable.variable.name)\n\n"
        out += "Studies per pair of values (rows: \(rowVariable.variable.name); columns: \(columnVariable.variable.name)); \(rowVariable.studies) studies.\n"
        if rowVariable.variable.multiple || columnVariable.variable.multiple { out += "A multiple-choice variable counts a study once per value it has.\n" }
        out += "\n| \(rowVariable.variable.name) | " + columnVariable.rows.map { markdownCell($0.value) }.joined(separator: " | ") + " | total |\n"
        out += "|---|" + String(repeating: "---:|", count: columnVariable.rows.count + 1) + "\n"
        for (index, row) in rowVariable.rows.enumerated() {
            out += "| \(markdownCell(row.value)) | " + cells[index].map { String($0.count) }.joined(separator: " | ") + " | \(row.ids.count) |\n"
        }
        out += "| **total** | " + columnVariable.rows.map { String($0.ids.count) }.joined(separator: " | ") + " | \(rowVariable.studies) |\n"
        return out
    }
}

/// Escapes a Markdown table cell.
func markdownCell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

/// A file name from a variable name (letters, digits, `-` and `_`).
func fileStem(_ name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
}

/// Every table of a review's charted data: one per variable and the requested cross-tabulations.
struct CollatedTables {
    var frequencies: [FrequencyTable]
    var crosses: [CrossTable]

    /// Parses `with.crosstabs` entries written `row:column`.
    static func build(codebook: CollateCodebook, charted: ChartedTable, crosstabs: [String], step: String) throws(RunnerError) -> CollatedTables {
        let frequencies = codebook.variables.map { FrequencyTable.count($0, in: charted) }
        var crosses: [CrossTable] = []
        for entry in crosstabs {
            let parts = entry.split(separator: ":").map(String.init)
            guard parts.count == 2, parts[0] != parts[1] else {
                throw .usage("step \(step): with.crosstabs entry \"\(entry)\" must name two different variables as row:column")
            }
            guard let rows = frequencies.first(where: { $0.variable.name == parts[0] }), let columns = frequencies.first(where: { $0.variable.name == parts[1] }) else {
                throw .usage("step \(step): with.crosstabs entry \"\(entry)\" names a variable the codebook does not define (\(codebook.variables.map(\.name).joined(separator: ", ")))")
            }
            crosses.append(CrossTable.count(rows: rows, columns: columns))
        }
        return CollatedTables(frequencies: frequencies, crosses: crosses)
    }

    /// The files of `tables/` (CSV and Markdown) and `figures/` (SVG), by name.
    func files(charts: Bool) -> (tables: [(String, String)], figures: [(String, String)]) {
        var tables: [(String, String)] = []
        var figures: [(String, String)] = []
        for table in frequencies {
            let stem = fileStem(table.variable.name)
            tables.append(("\(stem).csv", table.csv))
            tables.append(("\(stem).md", table.markdown))
            if charts, table.variable.kind != .text { figures.append(("\(stem).svg", table.chart { _, _ in nil })) }
        }
        for cross in crosses {
            let stem = fileStem(cross.name)
            tables.append(("\(stem).csv", cross.csv))
            tables.append(("\(stem).md", cross.markdown))
        }
        return (tables, figures)
    }
}
