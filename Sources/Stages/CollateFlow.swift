import Bibliography
import Foundation
import RunnerCore

/// The rows of the PRISMA2020 package's template (inst/extdata/PRISMA.csv): columns `data,node,box,description,
/// boxtext,tooltips,url,n`. Written into the code because the product reads no reference data at run time; a test compares them
/// with the real template when it is there.
enum PrismaTemplate {
    static let header = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]

    /// Every row but `n`, in the template's order, as the template writes them (`NA` kept as text).
    static let rows: [[String]] = [
        ["NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies", "Grey title box; Previous studies", "prevstud.html"],
        ["previous_studies", "node5", "box1", "Studies included in previous version of review", "Studies included in previous version of review", "Studies included in previous version of review", "previous_studies.html"],
        ["previous_reports", "NA", "box1", "Reports of studies included in previous version of review", "Reports of studies included in previous version of review", "NA", "previous_reports.html"],
        ["NA", "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers", "Identification of new studies via databases and registers", "Yellow title box; Identification of new studies via databases and registers", "newstud.html"],
        ["database_results", "node7", "box2", "Records identified from: Databases", "Databases", "Records identified from: Databases and Registers", "database_results.html"],
        ["database_specific_results", "NA", "box2", "Records identified from: specific databases", "Specific Databases", "NA", "database_results.html"],
        ["register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA", "NA"],
        ["register_specific_results", "NA", "box2", "Records identified from: specific registers", "Specific Registers", "NA", "database_results.html"],
        ["NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods", "Identification of new studies via other methods", "Grey title box; Identification of new studies via other methods", "othstud.html"],
        ["website_results", "node17", "box11", "Records identified from: Websites", "Websites", "Records identified from: Websites, Organisations and Citation Searching", "website_results.html"],
        ["organisation_results", "", "box11", "Records identified from: Organisations", "Organisations", "NA", "NA"],
        ["citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching", "NA", "NA"],
        ["duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records", "duplicates.html"],
        ["excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools", "Records marked as ineligible by automation tools", "NA", "NA"],
        ["excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons", "NA", "NA"],
        ["records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened", "Records screened (databases and registers)", "records_screened.html"],
        ["records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded", "Records excluded (databases and registers)", "records_excluded.html"],
        ["dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval", "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html"],
        ["dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)", "Reports not retrieved", "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html"],
        ["other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval", "Reports sought for retrieval (other)", "other_sought_reports.html"],
        ["other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved", "Reports not retrieved (other)", "other_notretrieved_reports.html"],
        ["dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)", "Reports assessed for eligibility", "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html"],
        ["dbr_excluded", "node14", "box9", "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (databases and registers)", "dbrexcludedrecords.html"],
        ["other_assessed", "node20", "box14", "Reports assessed for eligibility (other)", "Reports assessed for eligibility", "Reports assessed for eligibility (other)", "other_assessed.html"],
        ["other_excluded", "node21", "box15", "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]", "Reports excluded", "Reports excluded (other)", "other_excluded.html"],
        ["new_studies", "node15", "box10", "New studies included in review", "New studies included in review", "New studies included in review", "new_studies.html"],
        ["new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies", "NA", "NA"],
        ["total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review", "Total studies included in review", "total_studies.html"],
        ["total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies", "NA", "NA"],
        ["identification", "node1", "identification", "Blue identification box", "Identification", "Blue identification box", "identification.html"],
        ["screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box", "screening.html"],
        ["included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html"],
        ["total_studies_ma", "node23", "box17", "Total studies included in meta-analysis", "Total studies included in meta-analysis", "Total studies included in meta-analysis", "total_studies_meta_analysis.html"],
        ["total_reports_ma", "NA", "box17", "Reports of total included studies in meta-analysis", "Reports of total included studies in meta-analysis", "NA", "NA"],
    ]

    /// The template's own `n` values (0, or the placeholder lists), for comparing a re-serialised template.
    static func templateN(_ data: String) -> String {
        switch data {
        case "database_specific_results": "Database 1, xxx; Database 2, xxx; Database 3, xxx"
        case "register_specific_results": "Register 1, xxx; Register 2, xxx; Register 3, xxx"
        case "dbr_excluded", "other_excluded": "Reason1, xxx; Reason2, xxx; Reason3, xxx"
        default: "0"
        }
    }

    /// The CSV text: the template's rows with `n` from `value(data)`.
    static func csv(_ value: (String) -> String) -> String {
        var out = CSVTable.line(header)
        for row in rows { out += CSVTable.line(row + [value(row[0])]) }
        return out
    }
}

/// One PRISMA 2020 arithmetic invariant (ARCHIVE.md section 7), named as the error names it.
struct PrismaInvariant: Sendable, Equatable {
    var name: String
    var holds: Bool
    var detail: String
}

/// The PRISMA 2020 flow of a review, counted record by record from the stage 2 and 3 files, with the ids behind
/// every box (for the report's links).
struct PrismaFlow: Sendable {
    /// Counts by the PRISMA2020 template's variable names.
    var counts: [String: Int] = [:]
    /// Records each database returned, in order.
    var databases: [(name: String, n: Int)] = []
    /// Full-text exclusions by reason, most frequent first (databases and registers; other methods).
    var dbrReasons: [(reason: String, n: Int)] = []
    var otherReasons: [(reason: String, n: Int)] = []
    /// Studies from other methods by source kind, and the PRISMA variable each kind counts in.
    var otherKinds: [(kind: String, variable: String, n: Int)] = []
    /// The record ids behind each count, by variable name (and `database:<name>`, `dbr_reason:<r>`, `other_reason:<r>`, `other_kind:<k>`).
    var sets: [String: [String]] = [:]
    var invariants: [PrismaInvariant] = []
    var phases: [String] = []

    subscript(_ name: String) -> Int { counts[name] ?? 0 }

    /// The PRISMA2020 variables each default other-source kind counts in; `with.other_sources` adds or overrides.
    static let defaultKinds: [String: String] = [
        "reference-list": "citations_results", "citation-search": "citations_results", "citation-searching": "citations_results",
        "citations": "citations_results", "website": "website_results", "websites": "website_results", "hand-search": "website_results",
        "organisation": "organisation_results", "organisations": "organisation_results", "organization": "organisation_results",
        "expert": "organisation_results", "experts": "organisation_results",
    ]

    /// Counts the flow and checks its invariants (the violations are in `invariants`; see `firstViolation`).
    static func count(
        identification: Identification, records: [RecordSummary], unique: [RecordSummary], duplicates: Duplicates,
        included: [RecordSummary], selection: SelectionPhases, kinds: [String: String], reasons: [String]?
    ) throws(RunnerError) -> PrismaFlow {
        var flow = PrismaFlow()
        flow.phases = selection.names
        var checks: [PrismaInvariant] = []
        func check(_ name: String, _ holds: Bool, _ detail: String) { checks.append(PrismaInvariant(name: name, holds: holds, detail: detail)) }

        // Identification.
        flow.databases = identification.perDatabase.map { (name: prismaLabel($0.database), n: $0.returned) }
        for entry in identification.perDatabase {
            flow.sets["database:\(prismaLabel(entry.database))"] = records.filter { $0.database == entry.database }.map(\.id)
        }
        flow.counts["database_results"] = identification.perDatabase.reduce(0) { $0 + $1.returned }
        flow.counts["register_results"] = 0
        flow.counts["duplicates"] = duplicates.removed.count
        flow.counts["excluded_automatic"] = 0
        flow.counts["excluded_other"] = identification.skipped
        flow.sets["database_results"] = records.map(\.id)
        flow.sets["duplicates"] = duplicates.removed
        check(
            "identification.json counts the records of records.jsonl", identification.read == records.count,
            "identification.json counts \(identification.read) records read, records.jsonl holds \(records.count)")

        // Selection, record by record.
        let phases = selection.decisions
        var trajectory: [String: [(phase: Int, decision: FlowDecision)]] = [:]
        for (index, phase) in phases.enumerated() {
            for decision in phase { trajectory[decision.recordID, default: []].append((index, decision)) }
        }
        var chainProblems: [String] = []
        var sourceOf: [String: String] = [:]
        for (id, steps) in trajectory.sorted(by: { $0.key < $1.key }) {
            sourceOf[id] = steps[0].decision.source
            for (previous, next) in zip(steps, steps.dropFirst()) {
                if next.phase != previous.phase + 1 {
                    chainProblems.append("\(id) skips from phase \(selection.names[previous.phase]) to \(selection.names[next.phase])")
                } else if previous.decision.decision != .include {
                    chainProblems.append("\(id) is in phase \(selection.names[next.phase]) (\(next.decision.file):\(next.decision.line)) after \(previous.decision.decision.rawValue) in phase \(selection.names[previous.phase])")
                }
                if next.decision.source != previous.decision.source {
                    chainProblems.append("\(id) has source \(previous.decision.source) in phase \(selection.names[previous.phase]) but \(next.decision.source) in phase \(selection.names[next.phase])")
                }
            }
            if steps[0].decision.fromDatabase, steps[0].phase != 0 {
                chainProblems.append("\(id) comes from a database but first appears in phase \(selection.names[steps[0].phase]), not \(selection.names[0])")
            }
            let last = steps[steps.count - 1]
            if last.decision.decision == .include, last.phase != phases.count - 1 {
                chainProblems.append("\(id) is included in phase \(selection.names[last.phase]) but missing from phase \(selection.names[last.phase + 1])")
            }
        }
        for decision in phases[0] where decision.fromDatabase && decision.decision == .notRetrieved {
            throw .input(
                InputError(
                    file: decision.file, line: decision.line, field: "decision",
                    "not-retrieved is a full-text decision; phase \(selection.names[0]) screens records, so include or exclude them"))
        }

        let screening = phases[0].filter(\.fromDatabase)
        flow.counts["records_screened"] = screening.count
        flow.sets["records_screened"] = screening.map(\.recordID)
        let screenedOut = screening.filter { $0.decision == .exclude }
        flow.counts["records_excluded"] = screenedOut.count
        flow.sets["records_excluded"] = screenedOut.map(\.recordID)

        let fullText = phases.dropFirst().flatMap { $0 }
        let dbFullText = fullText.filter(\.fromDatabase)
        let sought = (phases.count > 1 ? phases[1] : []).filter(\.fromDatabase)
        flow.counts["dbr_sought_reports"] = sought.count
        flow.sets["dbr_sought_reports"] = sought.map(\.recordID)
        let dbNotRetrieved = dbFullText.filter { $0.decision == .notRetrieved }
        flow.counts["dbr_notretrieved_reports"] = dbNotRetrieved.count
        flow.sets["dbr_notretrieved_reports"] = dbNotRetrieved.map(\.recordID)
        let notRetrievedIDs = Set(fullText.filter { $0.decision == .notRetrieved }.map(\.recordID))
        var assessed: [String] = []
        var assessedSeen: Set<String> = []
        for decision in dbFullText where !notRetrievedIDs.contains(decision.recordID) && assessedSeen.insert(decision.recordID).inserted {
            assessed.append(decision.recordID)
        }
        flow.counts["dbr_assessed"] = assessed.count
        flow.sets["dbr_assessed"] = assessed

        let otherAll = phases.flatMap { $0 }.filter { !$0.fromDatabase }
        var otherOrder: [String] = []
        var otherSeen: Set<String> = []
        for decision in otherAll where otherSeen.insert(decision.recordID).inserted { otherOrder.append(decision.recordID) }
        var kindCounts: [String: [String]] = [:]
        var kindOrder: [String] = []
        for id in otherOrder {
            let kind = sourceOf[id] ?? ""
            if kindCounts[kind] == nil { kindOrder.append(kind) }
            kindCounts[kind, default: []].append(id)
        }
        for variable in ["website_results", "organisation_results", "citations_results"] {
            flow.counts[variable] = 0
            flow.sets[variable] = []
        }
        for kind in kindOrder.sorted() {
            guard let variable = kinds[kind] ?? defaultKinds[kind] else {
                let first = otherAll.first { $0.source == kind }
                throw .input(
                    InputError(
                        file: first?.file ?? "final", line: first?.line, field: "source",
                        "other-source kind \"\(kind)\" has no PRISMA box; map it in with.other_sources to website_results, organisation_results or citations_results"))
            }
            let ids = kindCounts[kind] ?? []
            flow.counts[variable, default: 0] += ids.count
            flow.sets[variable, default: []] += ids
            flow.sets["other_kind:\(kind)"] = ids
            flow.otherKinds.append((kind, variable, ids.count))
        }
        flow.counts["other_sought_reports"] = otherOrder.count
        flow.sets["other_sought_reports"] = otherOrder
        let otherNotRetrieved = otherAll.filter { $0.decision == .notRetrieved }
        flow.counts["other_notretrieved_reports"] = otherNotRetrieved.count
        flow.sets["other_notretrieved_reports"] = otherNotRetrieved.map(\.recordID)
        let otherAssessed = otherOrder.filter { !notRetrievedIDs.contains($0) }
        flow.counts["other_assessed"] = otherAssessed.count
        flow.sets["other_assessed"] = otherAssessed

        // Exclusions with reasons, after the screening phase for databases and in any phase for other methods.
        var missingReasons: [String] = []
        var unknownReasons: [String] = []
        func reasonCounts(_ exclusions: [FlowDecision], prefix: String) -> [(reason: String, n: Int)] {
            var ids: [String: [String]] = [:]
            for decision in exclusions {
                if decision.reason.isEmpty {
                    missingReasons.append("\(decision.recordID) (\(decision.file):\(decision.line))")
                } else if let reasons, !reasons.contains(decision.reason) {
                    unknownReasons.append("\"\(decision.reason)\" for \(decision.recordID) (\(decision.file):\(decision.line))")
                }
                ids[decision.reason.isEmpty ? "no reason given" : decision.reason, default: []].append(decision.recordID)
            }
            for (reason, list) in ids { flow.sets["\(prefix):\(reason)"] = list }
            return ids.map { (reason: $0.key, n: $0.value.count) }.sorted { $0.n != $1.n ? $0.n > $1.n : $0.reason < $1.reason }
        }
        let dbExcluded = dbFullText.filter { $0.decision == .exclude }
        let otherExcluded = otherAll.filter { $0.decision == .exclude }
        let dbrReasons = reasonCounts(dbExcluded, prefix: "dbr_reason")
        let otherReasons = reasonCounts(otherExcluded, prefix: "other_reason")
        flow.dbrReasons = dbrReasons
        flow.otherReasons = otherReasons
        flow.sets["dbr_excluded"] = dbExcluded.map(\.recordID)
        flow.counts["dbr_excluded"] = dbExcluded.count
        flow.counts["other_excluded"] = otherExcluded.count
        flow.sets["other_excluded"] = otherExcluded.map(\.recordID)

        let last = phases[phases.count - 1]
        let includedDB = last.filter { $0.fromDatabase && $0.decision == .include }.map(\.recordID)
        let includedOther = last.filter { !$0.fromDatabase && $0.decision == .include }.map(\.recordID)
        flow.sets["included_databases"] = includedDB
        flow.sets["included_other"] = includedOther
        flow.counts["new_reports"] = included.count
        flow.counts["new_studies"] = included.count
        flow.counts["previous_studies"] = 0
        flow.counts["previous_reports"] = 0
        flow.counts["total_studies"] = included.count
        flow.counts["total_reports"] = included.count
        flow.counts["total_studies_ma"] = 0
        flow.counts["total_reports_ma"] = 0
        for name in ["new_reports", "new_studies", "total_studies", "total_reports"] { flow.sets[name] = included.map(\.id) }

        // The invariants of ARCHIVE.md section 7, each from its own source.
        let c = flow.counts
        let uniqueIDs = Set(unique.map(\.id))
        let screenedIDs = Set(screening.map(\.recordID))
        var screeningDetail = "\(c["records_screened"] ?? 0) screened, \(c["database_results"] ?? 0) + 0 − \(c["duplicates"] ?? 0) − 0 − \(c["excluded_other"] ?? 0) identified after removals"
        let unscreened = unique.map(\.id).filter { !screenedIDs.contains($0) }
        let unknown = screening.map(\.recordID).filter { !uniqueIDs.contains($0) }
        if !unscreened.isEmpty { screeningDetail += "; never screened: " + listed(unscreened) }
        if !unknown.isEmpty { screeningDetail += "; screened but not in unique.jsonl: " + listed(unknown) }
        check(
            "records_screened = database_results + register_results − duplicates − excluded_automatic − excluded_other",
            c["records_screened"] == (c["database_results"] ?? 0) + (c["register_results"] ?? 0) - (c["duplicates"] ?? 0) - (c["excluded_automatic"] ?? 0) - (c["excluded_other"] ?? 0)
                && unscreened.isEmpty && unknown.isEmpty, screeningDetail)
        let chainText = chainProblems.isEmpty ? "" : "; " + chainProblems.prefix(5).joined(separator: "; ") + (chainProblems.count > 5 ? "; … (\(chainProblems.count) in all)" : "")
        check(
            "dbr_sought_reports = records_screened − records_excluded",
            c["dbr_sought_reports"] == (c["records_screened"] ?? 0) - (c["records_excluded"] ?? 0) && chainProblems.isEmpty,
            "\(c["dbr_sought_reports"] ?? 0) sought, \(c["records_screened"] ?? 0) − \(c["records_excluded"] ?? 0)" + chainText)
        check(
            "dbr_assessed = dbr_sought_reports − dbr_notretrieved_reports",
            c["dbr_assessed"] == (c["dbr_sought_reports"] ?? 0) - (c["dbr_notretrieved_reports"] ?? 0),
            "\(c["dbr_assessed"] ?? 0) assessed, \(c["dbr_sought_reports"] ?? 0) − \(c["dbr_notretrieved_reports"] ?? 0)")
        check(
            "other_assessed = other_sought_reports − other_notretrieved_reports",
            c["other_assessed"] == (c["other_sought_reports"] ?? 0) - (c["other_notretrieved_reports"] ?? 0),
            "\(c["other_assessed"] ?? 0) assessed, \(c["other_sought_reports"] ?? 0) − \(c["other_notretrieved_reports"] ?? 0)")
        let dbExcludedSum = flow.dbrReasons.reduce(0) { $0 + $1.n }
        check(
            "Σ dbr_excluded reasons = dbr_assessed − included reports from databases",
            dbExcludedSum == (c["dbr_assessed"] ?? 0) - includedDB.count,
            "\(dbExcludedSum) excluded with reasons, \(c["dbr_assessed"] ?? 0) − \(includedDB.count)")
        let otherExcludedSum = flow.otherReasons.reduce(0) { $0 + $1.n }
        check(
            "Σ other_excluded reasons = other_assessed − included reports from other methods",
            otherExcludedSum == (c["other_assessed"] ?? 0) - includedOther.count,
            "\(otherExcludedSum) excluded with reasons, \(c["other_assessed"] ?? 0) − \(includedOther.count)")
        let includedIDs = Set(included.map(\.id))
        let finalIDs = Set(includedDB + includedOther)
        var reportsDetail = "included.jsonl holds \(included.count), the last phase includes \(includedDB.count) + \(includedOther.count)"
        let notInFinal = included.map(\.id).filter { !finalIDs.contains($0) }
        let notInIncluded = (includedDB + includedOther).filter { !includedIDs.contains($0) }
        if !notInFinal.isEmpty { reportsDetail += "; not included in phase \(selection.names.last ?? ""): " + listed(notInFinal) }
        if !notInIncluded.isEmpty { reportsDetail += "; missing from included.jsonl: " + listed(notInIncluded) }
        check(
            "new_reports = included reports (databases + other methods)",
            included.count == includedDB.count + includedOther.count && notInFinal.isEmpty && notInIncluded.isEmpty, reportsDetail)
        check("new_studies ≤ new_reports", (c["new_studies"] ?? 0) <= (c["new_reports"] ?? 0), "\(c["new_studies"] ?? 0) studies, \(c["new_reports"] ?? 0) reports")
        check(
            "every exclusion at full text has a reason", missingReasons.isEmpty,
            missingReasons.isEmpty ? "all \(dbExcluded.count + otherExcluded.count) have one" : "no reason for " + listed(missingReasons))
        if let reasons {
            check(
                "reasons come from the closed list", unknownReasons.isEmpty,
                unknownReasons.isEmpty ? "all within the \(reasons.count) reasons of with.reasons" : "not in with.reasons: " + listed(unknownReasons))
        }
        flow.invariants = checks
        return flow
    }

    /// The first violated invariant as the step's failure (exit 1), naming it.
    var firstViolation: String? {
        guard let broken = invariants.first(where: { !$0.holds }) else { return nil }
        return "PRISMA invariant violated: \(broken.name) (\(broken.detail))"
    }

    /// The `n` column of PRISMA.csv for one template row.
    func n(_ data: String) -> String {
        switch data {
        case "database_specific_results": return flow(databases.map { ($0.name, $0.n) })
        case "register_specific_results": return "0"
        case "dbr_excluded": return flow(dbrReasons.map { ($0.reason, $0.n) })
        case "other_excluded": return flow(otherReasons.map { ($0.reason, $0.n) })
        case "NA", "": return "0"
        default: return counts[data].map(String.init) ?? "0"
        }
    }

    private func flow(_ items: [(String, Int)]) -> String {
        items.isEmpty ? "0" : items.map { "\($0.0), \($0.1)" }.joined(separator: "; ")
    }

    /// PRISMA.csv in the template's layout.
    var csv: String { PrismaTemplate.csv(n) }
}

/// A name fit for the template's `Name, n; Name, n` lists (no commas or semicolons).
func prismaLabel(_ text: String) -> String {
    text.map { $0 == "," || $0 == ";" ? " " : $0 }.reduce(into: "") { out, char in
        if char == " ", out.last == " " { return }
        out.append(char)
    }.trimmingCharacters(in: .whitespaces)
}

/// At most five items of a list, then how many in all.
func listed(_ items: [String]) -> String {
    items.prefix(5).joined(separator: ", ") + (items.count > 5 ? ", … (\(items.count) in all)" : "")
}
