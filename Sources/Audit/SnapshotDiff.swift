import Bibliography
import Foundation
import GitStore
import WorkflowModel

/// What changed between two snapshots, at the level a reviewer thinks in.
public struct SnapshotDiffReport: Sendable, Equatable {
    public var from: String
    public var to: String
    public var recordsAdded: [String] = []
    public var recordsRemoved: [String] = []
    /// Each: `kind` (merged, split, changed, added, removed), `before` and `after` (clusters as sorted member ids).
    public var clustersChanged: [JSONValue] = []
    /// Each: `record_id`, `phase`, `who` (a reviewer, `resolution` or `final`), `from`, `to`, `reason_from`, `reason_to`.
    public var decisionsChanged: [JSONValue] = []
    /// Each: `record_id`, `variable`, `from`, `to`.
    public var chartedChanged: [JSONValue] = []
    /// Each: `name`, `path`, `from`, `to`.
    public var numbersChanged: [JSONValue] = []
    /// Each: `path`, `change` (added, removed, modified), `from`, `to` (SHA-1 blob ids): files not read above.
    public var filesChanged: [JSONValue] = []

    public var json: JSONValue {
        .object([
            JSONMember("charted_changed", .array(chartedChanged)), JSONMember("clusters_changed", .array(clustersChanged)),
            JSONMember("decisions_changed", .array(decisionsChanged)), JSONMember("files_changed", .array(filesChanged)),
            JSONMember("from", .string(from)), JSONMember("numbers_changed", .array(numbersChanged)),
            JSONMember("records_added", .array(recordsAdded.map { .string($0) })), JSONMember("records_removed", .array(recordsRemoved.map { .string($0) })),
            JSONMember("to", .string(to)),
        ])
    }

    public var isEmpty: Bool {
        recordsAdded.isEmpty && recordsRemoved.isEmpty && clustersChanged.isEmpty && decisionsChanged.isEmpty && chartedChanged.isEmpty
            && numbersChanged.isEmpty && filesChanged.isEmpty
    }
}

/// Compares two snapshots record by record.
public struct SnapshotDiffer {
    let view: TrailView

    public init(view: TrailView) { self.view = view }

    /// - Parameter stage: only files of this stage (a path component such as `3-selection`).
    public func diff(_ first: String, _ second: String, stage: String? = nil) throws(AuditError) -> SnapshotDiffReport {
        let a = try view.resolve(first)
        let b = try view.resolve(second)
        var report = SnapshotDiffReport(from: a.description, to: b.description)
        let filesA = Dictionary(try view.files(at: a).filter { !$0.path.hasPrefix(".trail/") }.map { ($0.path, $0.blob) }, uniquingKeysWith: { x, _ in x })
        let filesB = Dictionary(try view.files(at: b).filter { !$0.path.hasPrefix(".trail/") }.map { ($0.path, $0.blob) }, uniquingKeysWith: { x, _ in x })
        let changed = Set(filesA.keys).union(filesB.keys).sorted().filter { filesA[$0] != filesB[$0] }
            .filter { path in stage.map { path.contains($0 + "/") } ?? true }

        for path in changed {
            if path.hasSuffix(ContractFile.records) && (path == ContractFile.records || path.hasSuffix("/" + ContractFile.records)) {
                let before = Set(try view.records(path, at: a).compactMap { $0.record["id"]?.stringValue })
                let after = Set(try view.records(path, at: b).compactMap { $0.record["id"]?.stringValue })
                report.recordsAdded = after.subtracting(before).sorted(by: Self.idOrder)
                report.recordsRemoved = before.subtracting(after).sorted(by: Self.idOrder)
            } else if path.hasSuffix("/" + ContractFile.duplicates) || path == ContractFile.duplicates {
                report.clustersChanged = try clusters(path, a, b)
            } else if let decision = ContractFile.decision(path) {
                report.decisionsChanged += try decisions(path, a, b, phase: decision.phase, who: decision.reviewer)
            } else if let phase = ContractFile.resolution(path) {
                report.decisionsChanged += try decisions(path, a, b, phase: phase, who: "resolution")
            } else if let phase = ContractFile.final(path) {
                report.decisionsChanged += try decisions(path, a, b, phase: phase, who: "final")
            } else if path.hasSuffix("/" + ContractFile.charted) || path == ContractFile.charted {
                report.chartedChanged = try charted(path, a, b)
            } else if (path.contains("5-collating/out/") && path.hasSuffix(".csv")) || (path.hasSuffix(".json") && path.contains("/out/")) {
                let numbers = try numbers(path, a, b)
                report.numbersChanged += numbers
                if numbers.isEmpty { report.filesChanged.append(fileChange(path, filesA[path], filesB[path])) }
            } else {
                report.filesChanged.append(fileChange(path, filesA[path], filesB[path]))
            }
        }
        return report
    }

    private func fileChange(_ path: String, _ a: ObjectID?, _ b: ObjectID?) -> JSONValue {
        .object([
            JSONMember("change", .string(a == nil ? "added" : b == nil ? "removed" : "modified")), JSONMember("from", a.map { .string($0.description) } ?? .null),
            JSONMember("path", .string(path)), JSONMember("to", b.map { .string($0.description) } ?? .null),
        ])
    }

    /// Orders ids `stem:n` by stem, then numerically.
    static func idOrder(_ x: String, _ y: String) -> Bool {
        let px = x.split(separator: ":", maxSplits: 1)
        let py = y.split(separator: ":", maxSplits: 1)
        if px.count == 2, py.count == 2, px[0] == py[0], let nx = Int(px[1]), let ny = Int(py[1]) { return nx < ny }
        return x < y
    }

    private func clusterSets(_ path: String, _ commit: ObjectID) throws(AuditError) -> [[String]] {
        guard let table = try view.table(path, at: commit) else { return [] }
        var groups: [String: [String]] = [:]
        for row in table.rows { groups[table.value(row, "cluster"), default: []].append(table.value(row, "record_id")) }
        return groups.values.map { $0.sorted(by: Self.idOrder) }.sorted { $0.first ?? "" < $1.first ?? "" }
    }

    private func clusters(_ path: String, _ a: ObjectID, _ b: ObjectID) throws(AuditError) -> [JSONValue] {
        let before = try clusterSets(path, a)
        let after = try clusterSets(path, b)
        let gone = before.filter { !after.contains($0) }
        let new = after.filter { !before.contains($0) }
        var out: [JSONValue] = []
        var handledOld: Set<[String]> = []
        func clusterJSON(_ ids: [String]) -> JSONValue { .array(ids.map { .string($0) }) }
        for cluster in new {
            let overlapping = gone.filter { !Set($0).isDisjoint(with: cluster) }
            let kind: String
            if overlapping.count > 1 { kind = "merged" } else if overlapping.count == 1 {
                let splitInto = new.filter { !Set($0).isDisjoint(with: overlapping[0]) }
                kind = splitInto.count > 1 ? "split" : "changed"
            } else { kind = "added" }
            if kind == "split", let old = overlapping.first, handledOld.contains(old) { continue }
            let before = overlapping
            let after = kind == "split" ? new.filter { !Set($0).isDisjoint(with: overlapping[0]) } : [cluster]
            handledOld.formUnion(before)
            out.append(.object([JSONMember("after", .array(after.map(clusterJSON))), JSONMember("before", .array(before.map(clusterJSON))), JSONMember("kind", .string(kind))]))
        }
        for old in gone where !handledOld.contains(old) {
            out.append(.object([JSONMember("after", .array([])), JSONMember("before", .array([clusterJSON(old)])), JSONMember("kind", .string("removed"))]))
        }
        return out
    }

    private func keyed(_ table: CSVTable?) -> [String: CSVTable.Row] {
        guard let table else { return [:] }
        return Dictionary(table.rows.map { (table.value($0, "record_id"), $0) }, uniquingKeysWith: { x, _ in x })
    }

    private func decisions(_ path: String, _ a: ObjectID, _ b: ObjectID, phase: String, who: String) throws(AuditError) -> [JSONValue] {
        let tableA = try view.table(path, at: a)
        let tableB = try view.table(path, at: b)
        let before = keyed(tableA)
        let after = keyed(tableB)
        var out: [JSONValue] = []
        for id in Set(before.keys).union(after.keys).sorted(by: Self.idOrder) {
            let decisionA = before[id].map { tableA?.value($0, "decision") ?? "" }
            let decisionB = after[id].map { tableB?.value($0, "decision") ?? "" }
            let reasonA = before[id].map { tableA?.value($0, "reason") ?? "" }
            let reasonB = after[id].map { tableB?.value($0, "reason") ?? "" }
            guard decisionA != decisionB || reasonA != reasonB else { continue }
            out.append(
                .object([
                    JSONMember("from", decisionA.map { .string($0) } ?? .null), JSONMember("phase", .string(phase)),
                    JSONMember("reason_from", reasonA.map { .string($0) } ?? .null), JSONMember("reason_to", reasonB.map { .string($0) } ?? .null),
                    JSONMember("record_id", .string(id)), JSONMember("to", decisionB.map { .string($0) } ?? .null), JSONMember("who", .string(who)),
                ]))
        }
        return out
    }

    private func charted(_ path: String, _ a: ObjectID, _ b: ObjectID) throws(AuditError) -> [JSONValue] {
        let tableA = try view.table(path, at: a)
        let tableB = try view.table(path, at: b)
        let before = keyed(tableA)
        let after = keyed(tableB)
        let variables = ((tableA?.header ?? []) + (tableB?.header ?? [])).reduce(into: [String]()) { if $1 != "record_id" && !$0.contains($1) { $0.append($1) } }
        var out: [JSONValue] = []
        for id in Set(before.keys).union(after.keys).sorted(by: Self.idOrder) {
            for variable in variables {
                let x = before[id].map { tableA?.value($0, variable) ?? "" }
                let y = after[id].map { tableB?.value($0, variable) ?? "" }
                guard x != y else { continue }
                out.append(
                    .object([
                        JSONMember("from", x.map { .string($0) } ?? .null), JSONMember("record_id", .string(id)), JSONMember("to", y.map { .string($0) } ?? .null),
                        JSONMember("variable", .string(variable)),
                    ]))
            }
        }
        return out
    }

    /// Numbers of a report table (CSV: row label in the first column, numeric cells) or of a JSON output.
    private func numbers(_ path: String, _ a: ObjectID, _ b: ObjectID) throws(AuditError) -> [JSONValue] {
        let before = try numberMap(path, a)
        let after = try numberMap(path, b)
        var out: [JSONValue] = []
        for name in Set(before.keys).union(after.keys).sorted() where before[name] != after[name] {
            out.append(
                .object([
                    JSONMember("from", before[name].map { .number($0) } ?? .null), JSONMember("name", .string(name)), JSONMember("path", .string(path)),
                    JSONMember("to", after[name].map { .number($0) } ?? .null),
                ]))
        }
        return out
    }

    private func numberMap(_ path: String, _ commit: ObjectID) throws(AuditError) -> [String: String] {
        var map: [String: String] = [:]
        if path.hasSuffix(".json") {
            guard let json = try? view.json(path, at: commit) else { return [:] }
            var members: [JSONMember] = []
            Tracer.collectNumbers(json, prefix: "", keeping: { _ in true }, into: &members)
            for member in members { if case .number(let n) = member.value { map[member.key] = n } }
            return map
        }
        guard let table = try? view.table(path, at: commit) else { return [:] }
        for row in table.rows {
            let label = row.values.first ?? ""
            for (index, value) in row.values.enumerated().dropFirst() where index < table.header.count && Double(value) != nil {
                map["\(label) / \(table.header[index])"] = value
            }
        }
        return map
    }
}
