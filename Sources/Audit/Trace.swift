import Bibliography
import Foundation
import GitStore
import WorkflowModel

/// One thing that happened to a record, in the stage and snapshot where it was recorded.
public struct TraceEvent: Sendable, Equatable {
    public var stage: String
    /// The snapshot that introduced the evidence (the file version the event is read from).
    public var snapshot: String
    /// `imported`, `cluster`, `decision`, `resolution`, `final`, `included`, `charted` or `counted`.
    public var kind: String
    /// The file the event was read from.
    public var path: String
    public var detail: [JSONMember]

    public var json: JSONValue {
        .object([
            JSONMember("detail", .object(detail.sorted { $0.key < $1.key })), JSONMember("kind", .string(kind)), JSONMember("path", .string(path)),
            JSONMember("snapshot", .string(snapshot)), JSONMember("stage", .string(stage)),
        ])
    }
}

/// The lineage of one record through every stage of a trail.
public struct TraceReport: Sendable, Equatable {
    public var record: String
    /// The snapshot traced (REV resolved).
    public var at: String
    /// The id the record's screening is filed under: its own, or the kept member of its duplicate cluster.
    public var screenedAs: String?
    public var events: [TraceEvent]

    public var json: JSONValue {
        .object([
            JSONMember("at", .string(at)), JSONMember("events", .array(events.map(\.json))), JSONMember("record", .string(record)),
            JSONMember("screened_as", screenedAs.map { .string($0) } ?? .null),
        ])
    }
}

/// The contract file names the audit reads (relative to a stage folder, found at any depth).
enum ContractFile {
    static let records = "2-search/out/records.jsonl"
    static let unique = "2-search/out/unique.jsonl"
    static let duplicates = "2-search/out/duplicates.csv"
    static let identification = "2-search/out/identification.json"
    static let included = "3-selection/out/included.jsonl"
    static let charted = "4-charting/out/charted.csv"
    static let prisma = "5-collating/out/PRISMA.csv"

    /// `(phase, reviewer)` of `…/3-selection/decisions/<phase>-<reviewer>.csv`.
    static func decision(_ path: String) -> (phase: String, reviewer: String)? {
        guard let name = fileName(path, in: "3-selection/decisions/", ext: ".csv") else { return nil }
        let parts = name.split(separator: "-", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    static func resolution(_ path: String) -> String? { fileName(path, in: "3-selection/resolutions/", ext: ".csv") }

    static func final(_ path: String) -> String? {
        guard let name = fileName(path, in: "3-selection/out/", ext: ".csv"), name.hasPrefix("final-") else { return nil }
        return String(name.dropFirst("final-".count))
    }

    static func fileName(_ path: String, in folder: String, ext: String) -> String? {
        guard path.hasSuffix(ext), let range = path.range(of: folder, options: .backwards),
            range.lowerBound == path.startIndex || path[path.index(before: range.lowerBound)] == "/"
        else { return nil }
        let name = path[range.upperBound...].dropLast(ext.count)
        return name.contains("/") || name.isEmpty ? nil : String(name)
    }

    static func stage(of path: String) -> String {
        for stage in ["1-question", "2-search", "3-selection", "4-charting", "5-collating"] where path.contains(stage + "/") { return stage }
        return ""
    }
}

/// Traces one record through a trail: import, cluster, screening, resolution, charting and the numbers that count it.
public struct Tracer {
    let view: TrailView

    public init(view: TrailView) { self.view = view }

    /// The record's lineage at `revision` (default: the tip).
    /// - Throws: `AuditError.usage` (exit 2) when no file of the snapshot names the record.
    public func trace(_ recordID: String, at revision: String? = nil) throws(AuditError) -> TraceReport {
        let commit = try view.resolve(revision)
        var events: [TraceEvent] = []
        func event(_ path: String, _ kind: String, _ detail: [JSONMember]) throws(AuditError) {
            let snapshot = try view.introduced(path, at: commit)
            events.append(TraceEvent(stage: ContractFile.stage(of: path), snapshot: snapshot.description, kind: kind, path: path, detail: detail))
        }

        var sourceFile: String?
        var sourceFormat: String?
        var identification: (path: String, json: JSONValue)?
        if let path = try view.contractPath(ContractFile.identification, at: commit), let json = try view.json(path, at: commit) {
            identification = (path, json)
        }
        if let path = try view.contractPath(ContractFile.records, at: commit) {
            for (line, record) in try view.records(path, at: commit) where record["id"]?.stringValue == recordID {
                let source = record["source"]
                sourceFile = source?["file"]?.stringValue
                sourceFormat = source?["format"]?.stringValue
                var detail = [JSONMember("records_line", .number(String(line)))]
                for key in ["file", "line", "database", "format"] { if let value = source?[key] { detail.append(JSONMember(key, value)) } }
                if source?["database"] == nil, let name = Self.fileEntry(identification?.json, sourceFile)?["database"] {
                    detail.append(JSONMember("database", name))
                }
                for key in ["source_id", "title", "year", "doi"] { if let value = record[key] { detail.append(JSONMember(key, value)) } }
                try event(path, "imported", detail)
            }
        }

        var screenedAs = recordID
        var removedAsDuplicate = false
        var finals: [(phase: String, decision: String, reason: String)] = []
        var chartedValues: [String: [String]] = [:]
        if let path = try view.contractPath(ContractFile.duplicates, at: commit), let table = try view.table(path, at: commit) {
            if let row = table.rows.first(where: { table.value($0, "record_id") == recordID }) {
                let cluster = table.value(row, "cluster")
                let members = table.rows.filter { table.value($0, "cluster") == cluster }
                let kept = members.first { table.value($0, "status") == "kept" }.map { table.value($0, "record_id") }
                if let kept { screenedAs = kept }
                removedAsDuplicate = table.value(row, "status") == "removed"
                let match = table.value(row, "match")
                try event(
                    path, "cluster",
                    [
                        JSONMember("cluster", .string(cluster)), JSONMember("status", .string(table.value(row, "status"))),
                        JSONMember("kept", kept.map { .string($0) } ?? .null), JSONMember("match", .string(match)),
                        JSONMember("fields", .array(match == "decision" ? [] : match.split(separator: "+").map { .string(String($0)) })),
                        JSONMember("decided_by_person", .bool(match == "decision")), JSONMember("score", .string(table.value(row, "score"))),
                        JSONMember("line", .number(String(row.line))),
                        JSONMember(
                            "members",
                            .array(members.map { member in
                                .object([
                                    JSONMember("match", .string(table.value(member, "match"))), JSONMember("record_id", .string(table.value(member, "record_id"))),
                                    JSONMember("score", .string(table.value(member, "score"))), JSONMember("source_id", .string(table.value(member, "source_id"))),
                                    JSONMember("status", .string(table.value(member, "status"))),
                                ])
                            })),
                    ])
            }
        }

        let paths = try view.paths(at: commit) { _ in true }
        var screened: [(phase: String, rows: Int)] = []
        for path in paths {
            if let decision = ContractFile.decision(path), let table = try view.table(path, at: commit), !screened.contains(where: { $0.phase == decision.phase }) {
                screened.append((decision.phase, table.rows.count))
            }
        }
        let phaseOrder = screened.sorted { $0.rows != $1.rows ? $0.rows > $1.rows : $0.phase < $1.phase }.map(\.phase)
        func rank(_ phase: String) -> Int { phaseOrder.firstIndex(of: phase) ?? phaseOrder.count }

        var screeningEvents: [(Int, Int, () throws(AuditError) -> Void)] = []
        for path in paths {
            if let decision = ContractFile.decision(path), let table = try view.table(path, at: commit),
                let row = table.rows.first(where: { table.value($0, "record_id") == screenedAs })
            {
                let detail = rowDetail(table, row) + [JSONMember("phase", .string(decision.phase)), JSONMember("reviewer", .string(decision.reviewer))]
                screeningEvents.append((rank(decision.phase), 0, { () throws(AuditError) in try event(path, "decision", detail) }))
            } else if let phase = ContractFile.resolution(path), let table = try view.table(path, at: commit),
                let row = table.rows.first(where: { table.value($0, "record_id") == screenedAs })
            {
                let detail = rowDetail(table, row) + [JSONMember("phase", .string(phase))]
                screeningEvents.append((rank(phase), 1, { () throws(AuditError) in try event(path, "resolution", detail) }))
            } else if let phase = ContractFile.final(path), let table = try view.table(path, at: commit),
                let row = table.rows.first(where: { table.value($0, "record_id") == screenedAs })
            {
                let decision = table.value(row, "decision")
                let reason = table.value(row, "reason")
                finals.append((phase, decision, reason))
                let sameDecision = table.rows.filter { table.value($0, "decision") == decision }.count
                let sameReason = table.rows.filter { table.value($0, "decision") == decision && table.value($0, "reason") == reason }.count
                var counted: [JSONMember] = [
                    JSONMember("phase", .string(phase)), JSONMember("records_screened", .number(String(table.rows.count))),
                    JSONMember("decision", .string(decision)), JSONMember("records_with_this_decision", .number(String(sameDecision))),
                ]
                if !reason.isEmpty { counted.append(JSONMember("records_with_this_reason", .number(String(sameReason)))) }
                let detail = rowDetail(table, row) + [JSONMember("phase", .string(phase))]
                screeningEvents.append((rank(phase), 2, { () throws(AuditError) in
                    try event(path, "final", detail)
                    try event(path, "counted", counted)
                }))
            }
        }
        for (_, _, add) in screeningEvents.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) { try add() }

        if let path = try view.contractPath(ContractFile.included, at: commit),
            let entry = try view.records(path, at: commit).first(where: { $0.record["id"]?.stringValue == screenedAs })
        {
            try event(path, "included", [JSONMember("line", .number(String(entry.line)))])
        }

        if let path = try view.contractPath(ContractFile.charted, at: commit), let table = try view.table(path, at: commit),
            let row = table.rows.first(where: { table.value($0, "record_id") == screenedAs })
        {
            var values: [JSONMember] = []
            var counts: [JSONMember] = []
            for (index, name) in table.header.enumerated() where name != "record_id" && index < row.values.count {
                let value = row.values[index]
                values.append(JSONMember(name, .string(value)))
                chartedValues[name] = value.split(separator: ";").map(String.init)
                for part in value.split(separator: ";").map(String.init) where !part.isEmpty {
                    let count = table.rows.filter { index < $0.values.count && $0.values[index].split(separator: ";").map(String.init).contains(part) }.count
                    counts.append(JSONMember("\(name)=\(part)", .number(String(count))))
                }
            }
            try event(path, "charted", [JSONMember("line", .number(String(row.line))), JSONMember("values", .object(values))])
            try event(path, "counted", [JSONMember("studies_with_value", .object(counts)), JSONMember("studies_charted", .number(String(table.rows.count)))])
        }

        if let identification, let entry = Self.fileEntry(identification.json, sourceFile) {
            let json = identification.json
            var counted: [JSONMember] = [JSONMember("file", .string(sourceFile ?? ""))]
            if let records = entry["records"] { counted.append(JSONMember("records_from_file", records)) }
            if let database = entry["database"]?.stringValue {
                counted.append(JSONMember("database", .string(database)))
                if let number = json["databases"]?[database] { counted.append(JSONMember("records_from_database", number)) }
            }
            if let format = sourceFormat, let number = json["formats"]?[format] { counted.append(JSONMember("records_in_format_\(format)", number)) }
            if let total = json["records"] { counted.append(JSONMember("records_identified", total)) }
            try event(identification.path, "counted", counted)
        }
        if let path = try view.contractPath(ContractFile.duplicates, at: commit), let table = try view.table(path, at: commit),
            let row = table.rows.first(where: { table.value($0, "record_id") == recordID }), table.value(row, "status") == "removed"
        {
            let removed = table.rows.filter { table.value($0, "status") == "removed" }.count
            try event(path, "counted", [JSONMember("duplicates_removed", .number(String(removed)))])
        }

        if !events.isEmpty, let path = try view.contractPath(ContractFile.prisma, at: commit), let table = try view.table(path, at: commit),
            let idColumn = table.column("data"), let countColumn = table.column("n")
        {
            // The boxes of the PRISMA 2020 flow (the PRISMA2020 package's variable names) that count this record.
            var ids: Set<String> = ["database_results", "database_specific_results", removedAsDuplicate ? "duplicates" : "records_screened"]
            if !removedAsDuplicate {
                let phases = finals.sorted { rank($0.phase) < rank($1.phase) }
                for (index, final) in phases.enumerated() {
                    if index == 0 {
                        if final.decision == "exclude" { ids.insert("records_excluded") }
                        continue
                    }
                    ids.insert("dbr_sought_reports")
                    if final.decision == "not-retrieved" {
                        ids.insert("dbr_notretrieved_reports")
                        continue
                    }
                    ids.insert("dbr_assessed")
                    if final.decision == "exclude" { ids.insert("dbr_excluded") }
                }
                if let last = phases.last, last.decision == "include" {
                    ids.formUnion(["new_studies", "new_reports", "total_studies", "total_reports"])
                }
            }
            let rows = table.rows.filter { idColumn < $0.values.count && ids.contains($0.values[idColumn]) }
            if !rows.isEmpty {
                try event(
                    path, "counted",
                    [JSONMember("report_numbers", .array(rows.map { row in
                        .object([
                            JSONMember("id", .string(row.values[idColumn])), JSONMember("label", .string(table.value(row, "boxtext"))),
                            JSONMember("n", .string(countColumn < row.values.count ? row.values[countColumn] : "")), JSONMember("line", .number(String(row.line))),
                        ])
                    }))])
            }
            for (variable, values) in chartedValues.sorted(by: { $0.key < $1.key }) {
                let tablePath = path.replacingOccurrences(of: "PRISMA.csv", with: "tables/\(variable).csv")
                guard let summary = try view.table(tablePath, at: commit), summary.column("value") != nil else { continue }
                let counted = summary.rows.filter { values.contains(summary.value($0, "value")) }
                if counted.isEmpty { continue }
                try event(
                    tablePath, "counted",
                    [JSONMember("table", .string(variable)), JSONMember("rows", .array(counted.map { row in
                        .object(summary.header.enumerated().map { JSONMember($0.element, .string($0.offset < row.values.count ? row.values[$0.offset] : "")) })
                    }))])
            }
        }

        if events.isEmpty {
            throw .usage("no file of snapshot \(commit.short) names the record \"\(recordID)\" (record ids are <export-file-stem>:<n>)")
        }
        return TraceReport(record: recordID, at: commit.description, screenedAs: screenedAs == recordID ? nil : screenedAs, events: events)
    }

    /// The `files` entry of identification.json for an export file.
    static func fileEntry(_ identification: JSONValue?, _ file: String?) -> JSONValue? {
        guard let file else { return nil }
        return identification?["files"]?.arrayValue?.first { $0["file"]?.stringValue == file }
    }

    private func rowDetail(_ table: CSVTable, _ row: CSVTable.Row) -> [JSONMember] {
        var detail = [JSONMember("line", .number(String(row.line)))]
        for (index, name) in table.header.enumerated() where name != "record_id" && index < row.values.count {
            detail.append(JSONMember(name, .string(row.values[index])))
        }
        return detail
    }

    /// Flattens the numbers of a JSON value as dotted paths.
    static func collectNumbers(_ value: JSONValue, prefix: String, keeping: (String) -> Bool, into out: inout [JSONMember]) {
        switch value {
        case .number(let number):
            if keeping(prefix) { out.append(JSONMember(prefix, .number(number))) }
        case .object(let members):
            for member in members { collectNumbers(member.value, prefix: prefix.isEmpty ? member.key : prefix + "." + member.key, keeping: keeping, into: &out) }
        case .array(let items):
            for (index, item) in items.enumerated() { collectNumbers(item, prefix: prefix + "[\(index)]", keeping: keeping, into: &out) }
        default: break
        }
    }
}
