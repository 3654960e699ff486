import Bibliography
import Foundation
import WorkflowModel

/// The archive's data dictionary: one row per column of every CSV in the payload, with type, codes and missing-value rule.
public enum Codebook {
    /// The codebook's columns.
    public static let header = ["file", "variable", "type", "description", "unit", "codes", "missing"]

    /// Descriptions of the columns the file contract fixes (DESIGN.md, HELPERS.md), by column name.
    static let known: [String: String] = [
        "record_id": "the ReviewTrail record id (<export-file-stem>:<n>)",
        "decision": "the screening decision",
        "reason": "the exclusion reason, from the review's closed list",
        "note": "the reviewer's free-text note",
        "basis": "how the final decision was reached: single reviewer, both agreed, or resolved",
        "source": "where the record came from: database, or the other-source kind",
        "cluster": "the duplicate cluster number",
        "source_id": "the record's id in its database export (accession number, PMID, UT)",
        "status": "kept or removed as a duplicate",
        "match": "the fields that matched (joined with +), or decision when a person decided",
        "score": "the match score, 0 to 1",
        "key": "the ReviewTrail record id of the kept record",
        "title": "the title as exported",
        "authors": "the authors, family name then given names, joined with '; '",
        "journal": "the journal or source title",
        "issn": "the ISSNs, joined with '; '",
        "volume": "the volume", "issue": "the issue", "pages": "the page range",
        "year": "the publication year",
        "url": "the URLs, joined with a space",
        "language": "the language as exported",
        "abstract": "the abstract as exported",
        "notes": "notes from the export",
        "pubmed_id": "the PubMed id when the export gives one",
        "doi": "the DOI, lower case, without URL prefix",
        "dois": "further DOIs, joined with a space",
        "isbn": "the ISBNs, joined with '; '",
        "keywords": "the keywords, joined with '; '",
        "type": "the RIS reference type code",
        "database": "the database the export came from",
        "start_page": "the first page", "end_page": "the last page",
        "phase": "the screening phase",
    ]

    /// Builds the codebook for the payload's CSV files (path under the bag and profile); charted.csv columns take their
    /// description from codebook.json.
    public static func build(tables: [(path: String, profile: CSVProfile)], chartingCodebook: [UInt8]?) -> [UInt8] {
        var variables: [String: (type: String, description: String, codes: [String])] = [:]
        if let chartingCodebook, let root = try? JSONParser.parse(chartingCodebook).value, let list = root["variables"]?.arrayValue {
            for item in list {
                guard let name = item["name"]?.stringValue else { continue }
                variables[name] = (
                    item["type"]?.stringValue ?? "text", item["description"]?.stringValue ?? "",
                    item["allowed"]?.arrayValue?.compactMap(\.stringValue) ?? []
                )
            }
        }
        var rows: [[String]] = []
        for (path, table) in tables.sorted(by: { $0.path < $1.path }) {
            let name = String(path.dropFirst("data/".count))
            for (column, summary) in zip(table.header, table.columns) {
                let missing = summary.empty == 0 ? "none" : "empty cell (\(summary.empty) of \(table.rowCount) rows)"
                if path == "data/charting/charted.csv", let variable = variables[column] {
                    rows.append([name, column, variable.type, variable.description, "", variable.codes.joined(separator: ";"), missing])
                    continue
                }
                let inferred = inferType(summary, column: column)
                let codes = inferred == "category" ? (summary.distinct ?? []).sorted().joined(separator: ";") : ""
                let description = known[column] ?? (column.hasPrefix("kappa") ? "Cohen's kappa statistic" : "column \(column) of \(name); see 00_README.txt")
                rows.append([name, column, inferred, description, column == "score" ? "proportion" : "", codes, missing])
            }
        }
        return Array(([header] + rows).map(CSVTable.line).joined().utf8)
    }

    /// Columns the file contract defines as closed lists.
    static let categorical: Set<String> = ["decision", "status", "basis", "source", "phase", "match"]

    /// integer, number, category (a contract's closed list, or at most 12 short distinct values that repeat) or text;
    /// a cell holding several values joined by `;` counts each of them.
    static func inferType(_ column: CSVProfile.Column, column name: String) -> String {
        if column.atoms == 0 { return "text" }
        if column.allIntegers { return "integer" }
        if column.allNumbers { return "number" }
        guard let distinct = column.distinct else { return "text" }
        if categorical.contains(name) && distinct.count <= 40 { return "category" }
        if distinct.count <= 12 && distinct.count < column.atoms && distinct.allSatisfy({ $0.count <= 40 }) { return "category" }
        return "text"
    }
}
