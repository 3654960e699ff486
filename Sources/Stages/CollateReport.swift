import Foundation
import RunnerCore
import WorkflowModel

extension PrismaFlow {
    /// The human title of a record set of the flow (for the report's record lists).
    static func title(of set: String) -> String {
        let names: [String: String] = [
            "database_results": "Records read from the database exports (unreadable records are counted in the flow but have no id)", "duplicates": "Duplicate records removed",
            "records_screened": "Records screened", "records_excluded": "Records excluded at screening",
            "dbr_sought_reports": "Reports sought for retrieval (databases)", "dbr_notretrieved_reports": "Reports not retrieved (databases)",
            "dbr_assessed": "Reports assessed for eligibility (databases)", "dbr_excluded": "Reports excluded (databases)",
            "other_sought_reports": "Reports sought for retrieval (other methods)", "other_notretrieved_reports": "Reports not retrieved (other methods)",
            "other_assessed": "Reports assessed for eligibility (other methods)", "other_excluded": "Reports excluded (other methods)",
            "website_results": "Records identified from websites", "organisation_results": "Records identified from organisations",
            "citations_results": "Records identified from citation searching", "new_studies": "Studies included in the review",
            "new_reports": "Reports of included studies", "total_studies": "Studies included in the review", "total_reports": "Reports of included studies",
            "included_databases": "Included studies from databases", "included_other": "Included studies from other methods",
        ]
        if let name = names[set] { return name }
        for (prefix, label) in [("database:", "Records read from the exports of "), ("dbr_reason:", "Reports excluded (databases): "),
                                ("other_reason:", "Reports excluded (other methods): "), ("other_kind:", "Studies identified through ")] where set.hasPrefix(prefix) {
            return label + set.dropFirst(prefix.count)
        }
        return set
    }
}

/// One item of the PRISMA-ScR checklist (Tricco et al. 2018), with what the runner can show for it.
struct ChecklistItem: Sendable {
    var item: Int
    var section: String
    var name: String
    var essential: Bool
    var status: String
    var location: String
    var evidence: String

    /// The 22 items: number, section, exact name.
    static let items: [(Int, String, String)] = [
        (1, "Title", "Title"), (2, "Abstract", "Structured summary"), (3, "Introduction", "Rationale"), (4, "Introduction", "Objectives"),
        (5, "Methods", "Protocol and registration"), (6, "Methods", "Eligibility criteria"), (7, "Methods", "Information sources*"),
        (8, "Methods", "Search"), (9, "Methods", "Selection of sources of evidence†"), (10, "Methods", "Data charting process‡"),
        (11, "Methods", "Data items"), (12, "Methods", "Critical appraisal of individual sources of evidence§"),
        (13, "Methods", "Synthesis of results"), (14, "Results", "Selection of sources of evidence"),
        (15, "Results", "Characteristics of sources of evidence"), (16, "Results", "Critical appraisal within sources of evidence"),
        (17, "Results", "Results of individual sources of evidence"), (18, "Results", "Synthesis of results"),
        (19, "Discussion", "Summary of evidence"), (20, "Discussion", "Limitations"), (21, "Discussion", "Conclusions"), (22, "Funding", "Funding"),
    ]

    static let header = ["item", "section", "name", "essential", "status", "location", "evidence"]

    var fields: [String] { [String(item), section, name, essential ? "yes" : "no", status, location, evidence] }
}

/// What the review's files hold for the checklist, found among the report step's inputs by name.
struct ChecklistEvidence {
    var protocolKeys: Set<String> = []
    var protocolPath: String?
    var strategyPath: String?
    var agreementPaths: [String] = []
    var finalPaths: [String] = []
    var codebookPath: String
    var chartedPath: String
    var prismaPaths: [String] = []
    var tablePaths: [String] = []
    var workflowTitle: String?
    var workflowFunding: String?
    var workflowPath: String?

    /// Reads what it needs from the further input files (protocol.json, search-strategy.txt, agreement-*.json,
    /// PRISMA.csv, prisma-flow.svg, tables/ and figures/ files, workflow.json); other files are ignored.
    mutating func scan(_ files: [ResolvedFile]) throws(RunnerError) {
        for file in files {
            let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
            if name == "protocol.json" {
                let reader = JSONFields(file: file.path)
                let members = try reader.members(try reader.parse(try readBytes(file)), "")
                protocolKeys = Set(members.filter { node in
                    switch node.value.value {
                    case .null: false
                    case .string(let s): !s.isEmpty
                    case .array(let a): !a.isEmpty
                    case .object(let o): !o.isEmpty
                    default: true
                    }
                }.keys)
                protocolPath = file.path
            } else if name == "search-strategy.txt" {
                if !(try readBytes(file)).isEmpty { strategyPath = file.path }
            } else if name.hasPrefix("agreement-") && name.hasSuffix(".json") {
                agreementPaths.append(file.path)
            } else if name.hasPrefix("final-") && name.hasSuffix(".csv") {
                finalPaths.append(file.path)
            } else if name == "PRISMA.csv" || name == "prisma-flow.svg" {
                prismaPaths.append(file.path)
            } else if file.path.contains("/tables/") || file.path.contains("/figures/") || file.path.hasPrefix("tables/") || file.path.hasPrefix("figures/") {
                tablePaths.append(file.path)
            } else if name == "workflow.json" {
                let reader = JSONFields(file: file.path)
                let top = try reader.members(try reader.parse(try readBytes(file)), "")
                if let review = top["review"] {
                    let fields = try reader.members(review, "review")
                    workflowTitle = fields["title"]?.value.stringValue
                    workflowFunding = fields["funding"]?.value.stringValue
                }
                workflowPath = file.path
            }
        }
    }

    /// `folder/ (n files)` for each folder of `paths`, in order.
    func folders(_ paths: [String]) -> String {
        var counts: [String: Int] = [:]
        for path in paths {
            let folder = path.split(separator: "/").dropLast().joined(separator: "/")
            counts[folder + "/", default: 0] += 1
        }
        return counts.keys.sorted().map { "\($0) (\(counts[$0] ?? 0) file\(counts[$0] == 1 ? "" : "s"))" }.joined(separator: "; ")
    }

    /// The checklist: `reported` where `locations` gives a manuscript locator, `evidence-only` where the files
    /// hold the data, `not-applicable` for the optional appraisal items when no appraisal was done, else `missing`.
    func checklist(locations: [String: String], appraisal: Bool) -> [ChecklistItem] {
        func join(_ paths: [String?]) -> String { paths.compactMap { $0 }.joined(separator: "; ") }
        var evidence: [Int: String] = [:]
        if let title = workflowTitle, title.lowercased().contains("scoping review"), let path = workflowPath {
            evidence[1] = "\(path) (review.title names a scoping review)"
        }
        evidence[2] = "report.md (the counts a structured summary reports)"
        if protocolKeys.contains("research_question"), let path = protocolPath { evidence[4] = "\(path) (research_question)" }
        if protocolKeys.contains("registration"), let path = protocolPath { evidence[5] = "\(path) (registration)" }
        if protocolKeys.contains("eligibility"), let path = protocolPath { evidence[6] = "\(path) (eligibility)" }
        if protocolKeys.contains("databases"), protocolKeys.contains("search_dates"), let path = protocolPath {
            evidence[7] = "\(path) (databases, search_dates)"
        }
        if let strategyPath { evidence[8] = strategyPath }
        if !finalPaths.isEmpty { evidence[9] = join(finalPaths.sorted() + agreementPaths.sorted()) }
        evidence[10] = join([codebookPath, chartedPath])
        evidence[11] = codebookPath
        if !tablePaths.isEmpty { evidence[13] = "counts and percentages per charted variable and cross-tabulations: " + folders(tablePaths) }
        evidence[14] = prismaPaths.isEmpty ? "report.md (PRISMA 2020 flow counts)" : join(prismaPaths.sorted())
        evidence[15] = chartedPath
        evidence[17] = chartedPath
        if !tablePaths.isEmpty { evidence[18] = folders(tablePaths) }
        if let funding = workflowFunding, !funding.isEmpty, let path = workflowPath { evidence[22] = "\(path) (review.funding)" }

        return ChecklistItem.items.map { number, section, name in
            let optional = number == 12 || number == 16
            let location = locations[String(number)] ?? ""
            let status: String
            if !location.isEmpty {
                status = "reported"
            } else if optional && !appraisal {
                status = "not-applicable"
            } else if evidence[number] != nil {
                status = "evidence-only"
            } else {
                status = "missing"
            }
            return ChecklistItem(
                item: number, section: section, name: name, essential: !optional, status: status, location: location,
                evidence: optional && !appraisal ? "no critical appraisal (with.critical_appraisal is false)" : evidence[number] ?? "")
        }
    }
}

/// Builds the report's blocks from the collated data.
struct ReportBuilder {
    var title: String
    var flow: PrismaFlow
    var tables: CollatedTables
    var comparison: Comparison
    var checklist: [ChecklistItem]
    var included: [RecordSummary]
    var source: [String: String]
    var phaseNames: [String]

    func blocks() -> [Block] {
        var blocks: [Block] = []
        func n(_ name: String) -> Inline { .number(String(flow[name]), title: PrismaFlow.title(of: name), ids: flow.sets[name] ?? []) }
        func set(_ key: String, _ count: Int) -> Inline { .number(String(count), title: PrismaFlow.title(of: key), ids: flow.sets[key] ?? []) }
        let studies = flow["new_studies"]

        blocks.append(.heading(1, "Flow of records (PRISMA 2020)"))
        var flowText: [Inline] = [
            .text("Selection ran in \(phaseNames.count) phases (\(phaseNames.joined(separator: ", "))). The databases returned "), n("database_results"),
            .text(" records ("),
        ]
        for (index, database) in flow.databases.enumerated() {
            flowText.append(.text((index > 0 ? "; " : "") + database.name + " "))
            flowText.append(set("database:\(database.name)", database.n))
        }
        flowText += [.text("); "), n("duplicates"), .text(" duplicates and ")]
        flowText.append(.number(String(flow["excluded_other"]), title: "Records removed for other reasons", ids: []))
        flowText += [.text(" unreadable records were removed, and "), n("records_screened"), .text(" records were screened, of which ")]
        flowText += [n("records_excluded"), .text(" were excluded. Of "), n("dbr_sought_reports"), .text(" reports sought, ")]
        flowText += [n("dbr_notretrieved_reports"), .text(" were not retrieved; "), n("dbr_assessed"), .text(" were assessed for eligibility and ")]
        let dbrExcluded = flow.dbrReasons.reduce(0) { $0 + $1.n }
        let otherExcluded = flow.otherReasons.reduce(0) { $0 + $1.n }
        flowText.append(.number(String(dbrExcluded), title: PrismaFlow.title(of: "dbr_excluded"), ids: flow.sets["dbr_excluded"] ?? []))
        flowText += [.text(" excluded. Other methods gave "), n("other_sought_reports"), .text(" reports, of which ")]
        flowText += [n("other_notretrieved_reports"), .text(" were not retrieved and ")]
        flowText.append(.number(String(otherExcluded), title: PrismaFlow.title(of: "other_excluded"), ids: flow.sets["other_excluded"] ?? []))
        flowText += [.text(" excluded. In all, "), n("new_studies"), .text(" studies were included (")]
        flowText += [set("included_databases", flow.sets["included_databases"]?.count ?? 0), .text(" from databases, ")]
        flowText += [set("included_other", flow.sets["included_other"]?.count ?? 0), .text(" from other methods).")]
        blocks.append(.paragraph(flowText))
        if !flow.dbrReasons.isEmpty || !flow.otherReasons.isEmpty {
            var rows: [[[Inline]]] = []
            for reason in flow.dbrReasons { rows.append([[.text("databases")], [.text(reason.reason)], [set("dbr_reason:\(reason.reason)", reason.n)]]) }
            for reason in flow.otherReasons { rows.append([[.text("other methods")], [.text(reason.reason)], [set("other_reason:\(reason.reason)", reason.n)]]) }
            blocks.append(.paragraph([.text("Full-text exclusions by reason:")]))
            blocks.append(.table(header: ["records from", "reason", "n"], rows: rows, numeric: [false, false, true]))
        }
        if !flow.otherKinds.isEmpty {
            blocks.append(.paragraph([.text("Studies from other methods by source:")]))
            blocks.append(
                .table(
                    header: ["source", "PRISMA box", "n"],
                    rows: flow.otherKinds.map { [[.text($0.kind)], [.text($0.variable)], [set("other_kind:\($0.kind)", $0.n)]] }, numeric: [false, false, true]))
        }
        blocks.append(
            .paragraph([
                .text("All \(flow.invariants.count) arithmetic invariants of the flow hold (ARCHIVE.md section 7), each recomputed from the per-record files.")
            ]))
        blocks.append(.figure(.flow(flow), file: "prisma-flow.svg", caption: "PRISMA 2020 flow diagram"))

        blocks.append(.heading(1, "Characteristics of the included studies"))
        blocks.append(.paragraph([.text("Counts of the "), n("new_studies"), .text(" included studies per charted variable; percentages of \(studies) studies, with one decimal.")]))
        for table in tables.frequencies {
            blocks.append(.heading(2, table.variable.name))
            var text = table.note
            if !table.variable.description.isEmpty { text = table.variable.description + " " + text }
            blocks.append(.paragraph([.text(text)]))
            var rows: [[[Inline]]] = table.rows.map { row in
                let link: Inline = .number(String(row.ids.count), title: "\(table.variable.name) = \(row.value)", ids: row.ids)
                let percent: Inline = .number(percentText(row.ids.count, of: table.studies), title: "\(table.variable.name) = \(row.value)", ids: row.ids)
                return [[.text(row.value)], [link], [percent]]
            }
            if !table.variable.multiple {
                let all = included.map(\.id)
                rows.append([[.text("total")], [.number(String(table.studies), title: "Studies included in the review", ids: all)], [.number("100.0", title: "Studies included in the review", ids: all)]])
            }
            blocks.append(.table(header: ["value", "n", "%"], rows: rows, numeric: [false, true, true]))
            if table.variable.kind != .text {
                blocks.append(.figure(.frequency(table), file: "figures/\(fileStem(table.variable.name)).svg", caption: "Studies by \(table.variable.name)"))
            }
        }
        for cross in tables.crosses {
            blocks.append(.heading(2, "\(cross.rowVariable.variable.name) × \(cross.columnVariable.variable.name)"))
            var rows: [[[Inline]]] = []
            for (index, row) in cross.rowVariable.rows.enumerated() {
                var cells: [[Inline]] = [[.text(row.value)]]
                for (column, ids) in zip(cross.columnVariable.rows, cross.cells[index]) {
                    cells.append([.number(String(ids.count), title: "\(cross.rowVariable.variable.name) = \(row.value), \(cross.columnVariable.variable.name) = \(column.value)", ids: ids)])
                }
                cells.append([.number(String(row.ids.count), title: "\(cross.rowVariable.variable.name) = \(row.value)", ids: row.ids)])
                rows.append(cells)
            }
            blocks.append(
                .table(
                    header: [cross.rowVariable.variable.name] + cross.columnVariable.rows.map(\.value) + ["total"], rows: rows,
                    numeric: [false] + Array(repeating: true, count: cross.columnVariable.rows.count + 1)))
        }

        blocks.append(.heading(1, "Included studies"))
        blocks.append(
            .table(
                header: ["record", "source", "reference"],
                rows: included.map { [[.text($0.id)], [.text(source[$0.id] ?? "database")], [.text($0.citation)]] }, numeric: [false, false, false]))

        blocks.append(.heading(1, "The paper's figures beside this review's"))
        blocks.append(
            .paragraph([
                .text("Each figure the paper prints (reported_in_paper.json, typed once and never used to compute anything) beside the same figure derived from this review's files; NA where the files cannot give it. Printed figures are shown in brown.")
            ]))
        blocks.append(
            .table(
                header: ["figure", "paper", "this review", "match", "derivation"],
                rows: comparison.rows.map { row in
                    let derived: Inline = row.derivation == nil ? .text("NA") : .number(row.derivedText, title: row.figure.label, ids: row.ids)
                    return [[.text(row.figure.label)], [.paper(row.figure.value)], [derived], [.text(row.match)], [.text(row.derivation?.text ?? "")]]
                }, numeric: [false, true, true, false, false]))
        blocks.append(.heading(2, "The paper's own inconsistencies"))
        if comparison.inconsistencies.isEmpty {
            blocks.append(.paragraph([.text("The printed figures agree with each other.")]))
        } else {
            blocks.append(.paragraph([.text("Computed from the printed figures alone:")]))
            blocks.append(.bullets(comparison.inconsistencies.map { [.paper($0)] }))
        }

        blocks.append(.heading(1, "PRISMA-ScR checklist"))
        blocks.append(
            .table(
                header: ["item", "section", "name", "status", "evidence"],
                rows: checklist.map { item in
                    [[.text(String(item.item))], [.text(item.section)], [.text(item.name)], [.text(item.status)], [.text(item.location.isEmpty ? item.evidence : item.location)]]
                }, numeric: [false, false, false, false, false]))
        return blocks
    }
}
