import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// One row of `final-<phase>.csv`.
public struct FinalDecision: Sendable, Equatable {
    /// `include`, `exclude` or `not-retrieved`.
    public var decision: String
    public var reason: String
    /// `single` (one reviewer), `agreed` (reviewers agreed) or `resolved` (a resolution decided).
    public var basis: String
    /// `database`, or the other-source kind (reference-list, expert, hand-search…).
    public var source: String
    public var recordID: String

    public static let header = ["record_id", "decision", "reason", "basis", "source"]

    var csv: String { CSVTable.line([recordID, decision, reason, basis, source]) }
}

/// A study found outside the databases (reference lists, experts, hand search): `other-sources/*.csv` with
/// `source,authors,year,title`.
struct OtherSourceStudy {
    var id: String
    var kind: String
    var record: Record
    var line: Int
    var file: String

    static let header = ["source", "authors", "year", "title"]

    static func read(_ file: ResolvedFile) throws(RunnerError) -> [OtherSourceStudy] {
        let table = try InputTable(file: file)
        try table.requireHeader(header)
        let stem = RecordReader.stem(of: file.path)
        var out: [OtherSourceStudy] = []
        for (index, row) in table.rows.enumerated() {
            let kind = row[0].value.trimmingCharacters(in: .whitespaces)
            if kind.isEmpty || !kind.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) {
                throw table.error(row[0], "source \"\(kind)\" is not a source kind such as reference-list, expert or hand-search")
            }
            guard let year = Int(row[2].value.trimmingCharacters(in: .whitespaces)), (1000...9999).contains(year) else {
                throw table.error(row[2], "year \"\(row[2].value)\" is not a year")
            }
            let title = row[3].value.trimmingCharacters(in: .whitespaces)
            if title.isEmpty { throw table.error(row[3], "title is empty") }
            let authors = row[1].value.split(separator: ";").map { part -> Author in
                let pieces = part.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return Author(family: pieces[0], given: pieces.count > 1 && !pieces[1].isEmpty ? pieces[1] : nil)
            }.filter { !$0.family.isEmpty }
            let id = "\(stem):\(index + 1)"
            let record = Record(
                id: id, source: RecordSource(file: file.path, line: row[0].line, database: nil, format: .csv), title: title, authors: authors,
                year: year, raw: zip(header, row.values).map { RawField($0, $1) })
            out.append(OtherSourceStudy(id: id, kind: kind, record: record, line: row[0].line, file: file.path))
        }
        return out
    }

    /// The key two records of one work share: lower-case letters and digits of the title, and the year.
    static func matchKey(title: String?, year: Int?) -> String? {
        guard let title, let year else { return nil }
        let letters = title.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }
        return String(String.UnicodeScalarView(letters)) + "|\(year)"
    }
}

/// A resolution: `resolutions/<phase>.csv` with `record_id,decision,reason,note`.
struct Resolution {
    var recordID: String
    var decision: String
    var reason: String
    var line: Int
}

/// `screening/resolve`: the final decisions of one phase from the reviewers' files and the resolutions,
/// and the records still in after it (the last phase's are `included.jsonl`).
public struct ScreeningResolveStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "screening/resolve", version: "1",
        summary: "Final decisions of one screening phase from both reviewers' decisions and the resolutions; studies from other sources enter with their source; writes final-<phase>.csv and the records still included",
        parameters: [
            ParameterSpec("phase", .string, required: true, "The phase id ([a-z0-9]+)"),
            ParameterSpec("reviewers", .stringArray, required: true, "The reviewers; the first screens every record of the phase, the others a sample"),
            ParameterSpec("reasons", .stringArray, required: true, "The closed list of exclusion reasons"),
            ParameterSpec("reason_required", .boolean, "Every exclusion in this phase needs a reason (full text)"),
            ParameterSpec("retrieval", .boolean, "Reports are sought in this phase: a resolution may record a record as not-retrieved"),
        ],
        inputs: [
            "the records of this phase (JSON Lines: 2-search/out/unique.jsonl for the first phase, the records the phase before kept)",
            "decisions/<phase>-<reviewer>.csv of every reviewer",
            "resolutions/<phase>.csv",
            "by name: sample.csv; the review's records (*.jsonl, to tell an unknown id from one an earlier phase excluded); other-sources/*.csv (studies that enter in this phase)",
        ],
        variadicInputs: true,
        outputs: ["final-<phase>.csv (record_id,decision,reason,basis,source)", "the records included after this phase (JSON Lines; included.jsonl for the last phase)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let parameters = StepParameters(context: context)
        let phase = try parameters.requiredString("phase")
        let reviewers = try parameters.ids("reviewers") ?? []
        guard let full = reviewers.first else { throw .usage("step \(context.step.name): with.reviewers names no reviewer") }
        let reasons = try parameters.strings("reasons") ?? []
        let reasonRequired = parameters.bool("reason_required") ?? false
        let retrieval = parameters.bool("retrieval") ?? false

        let phaseFile = try context.inputFile(0)
        var population = try readRecords(phaseFile)
        var known = Set(population.map(\.id))
        var knownFrom = phaseFile.path
        for input in context.inputs.dropFirst(3).joined() where input.path.hasSuffix(".jsonl") {
            let all = Set(try readRecords(input).map(\.id))
            if let outside = population.first(where: { !all.contains($0.id) }) {
                throw .input(InputError(file: phaseFile.path, line: outside.source.line, "record \(outside.id) is not a record of \(input.path)"))
            }
            known = all
            knownFrom = input.path
        }
        var sourceOf: [String: String] = [:]
        for record in population { sourceOf[record.id] = "database" }

        var sampled: Set<String>? = nil
        var log = ""
        var matchedOther = 0
        var byKey: [String: String] = [:]
        for record in population {
            if let key = OtherSourceStudy.matchKey(title: record.title, year: record.year), byKey[key] == nil { byKey[key] = record.id }
        }
        for input in context.inputs.dropFirst(3).joined() where !input.path.hasSuffix(".jsonl") {
            if (input.path as NSString).lastPathComponent == "sample.csv" {
                sampled = try ScreeningSampler.read(input)[phase] ?? []
                continue
            }
            for study in try OtherSourceStudy.read(input) {
                if let key = OtherSourceStudy.matchKey(title: study.record.title, year: study.record.year), let match = byKey[key] {
                    matchedOther += 1
                    log += "\(study.file):\(study.line): this \(study.kind) study is database record \(match), counted once as a database record\n"
                    continue
                }
                population.append(study.record)
                sourceOf[study.id] = study.kind
            }
        }
        let inPhase = Set(population.map(\.id))
        func checkID(_ id: String, _ file: String, _ line: Int) throws(RunnerError) {
            if !known.contains(id) && sourceOf[id] == nil {
                throw .input(InputError(file: file, line: line, column: 1, "unknown record id \"\(id)\" (not a record of \(knownFrom) nor of other-sources)"))
            }
            if !inPhase.contains(id) {
                throw .input(InputError(file: file, line: line, column: 1, "record \(id) is not in phase \(phase): the phase before did not keep it"))
            }
        }

        var decisions: [String: DecisionFile] = [:]
        for input in context.inputs[1] {
            let file = try DecisionFile(path: input.path, text: try readText(input), reasons: reasons, reasonRequired: reasonRequired)
            guard file.phase == phase, let reviewer = file.reviewer else {
                throw .input(InputError(file: input.path, "is not named \(phase)-<reviewer>.csv"))
            }
            guard reviewers.contains(reviewer) else {
                throw .input(InputError(file: input.path, "reviewer \"\(reviewer)\" is not one of the workflow's reviewers: \(reviewers.joined(separator: ", "))"))
            }
            for row in file.rows { try checkID(row.recordID, file.path, row.line) }
            decisions[reviewer] = file
        }

        let resolutionFile = try context.inputFile(2)
        let table = try InputTable(file: resolutionFile)
        try table.requireHeader(["record_id", "decision", "reason", "note"])
        var resolutions: [String: Resolution] = [:]
        let resolvable = ["include", "exclude"] + (retrieval ? ["not-retrieved"] : [])
        for row in table.rows {
            let id = row[0].value.trimmingCharacters(in: .whitespaces)
            try checkID(id, table.file, row[0].line)
            if let previous = resolutions[id] { throw table.error(row[0], "record \(id) is resolved twice (also on line \(previous.line))") }
            let decision = row[1].value.trimmingCharacters(in: .whitespaces)
            guard resolvable.contains(decision) else {
                throw table.error(row[1], "a resolution decides \(resolvable.joined(separator: ", ")), not \"\(decision)\"")
            }
            let reason = row[2].value.trimmingCharacters(in: .whitespaces)
            if !reason.isEmpty && !reasons.contains(reason) {
                throw table.error(row[2], "reason \"\(reason)\" for \(id) is not in the workflow's list: \(reasons.joined(separator: ", "))")
            }
            if decision != "exclude" && !reason.isEmpty { throw table.error(row[2], "record \(id) is resolved \(decision) but has the reason \"\(reason)\"") }
            resolutions[id] = Resolution(recordID: id, decision: decision, reason: reason, line: row[0].line)
        }

        guard let fullFile = decisions[full] else {
            throw .input(InputError(file: "decisions/\(phase)-\(full).csv", "is not among the inputs: \(full) screens every record of phase \(phase)"))
        }
        let fullRows = Dictionary(fullFile.rows.map { ($0.recordID, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = population.map(\.id).filter { fullRows[$0] == nil && resolutions[$0]?.decision != "not-retrieved" }
        if !missing.isEmpty {
            throw .input(InputError(file: fullFile.path, "has no decision for \(missing.count) record\(missing.count == 1 ? "" : "s") of phase \(phase): \(missing.prefix(10).joined(separator: ", "))\(missing.count > 10 ? ", …" : "")"))
        }

        let rowsByReviewer = decisions.mapValues { file in Dictionary(file.rows.map { ($0.recordID, $0) }, uniquingKeysWith: { first, _ in first }) }
        var finals: [FinalDecision] = []
        var unresolved: [String] = []
        for record in population {
            let id = record.id
            let source = sourceOf[id] ?? "database"
            let rows = reviewers.compactMap { rowsByReviewer[$0]?[id] }
            let conflict = Set(rows.map(\.decision)).count > 1 || rows.contains { $0.decision == .maybe }
            if let resolution = resolutions[id] {
                if !conflict && resolution.decision != "not-retrieved" {
                    throw .input(InputError(file: resolutionFile.path, line: resolution.line, column: 1, "record \(id) has no disagreement to resolve in phase \(phase)"))
                }
                var reason = resolution.reason
                if resolution.decision == "exclude" && reason.isEmpty {
                    reason = rows.first(where: { $0.decision == .exclude && !$0.reason.isEmpty })?.reason ?? ""
                    if reason.isEmpty && reasonRequired {
                        throw .input(InputError(file: resolutionFile.path, line: resolution.line, column: 3, "record \(id) is excluded in phase \(phase) without a reason; add one from the workflow's list"))
                    }
                }
                finals.append(FinalDecision(decision: resolution.decision, reason: reason, basis: "resolved", source: source, recordID: id))
            } else if conflict {
                unresolved.append(id)
            } else if let row = rows.first {
                finals.append(FinalDecision(decision: row.decision.rawValue, reason: row.reason, basis: rows.count > 1 ? "agreed" : "single", source: source, recordID: id))
            }
        }
        if !unresolved.isEmpty {
            throw .stepFailed(
                step: context.step.name,
                message: "\(unresolved.count) conflict\(unresolved.count == 1 ? "" : "s") in phase \(phase) without a resolution in \(resolutionFile.path): \(unresolved.joined(separator: ", "))")
        }

        let kept = Set(finals.filter { $0.decision == "include" }.map(\.recordID))
        try context.write(CSVTable.line(FinalDecision.header) + finals.map(\.csv).joined(), toOutput: 0)
        let included = population.filter { kept.contains($0.id) }
        try AtomicFile.write(Array(RecordWriter.jsonLines(included)), to: context.outputs[1])

        var counts: [String: Int] = ["screened": finals.count, "included": included.count]
        counts["excluded"] = finals.filter { $0.decision == "exclude" }.count
        counts["not_retrieved"] = finals.filter { $0.decision == "not-retrieved" }.count
        counts["resolved"] = finals.filter { $0.basis == "resolved" }.count
        counts["other_sources"] = finals.filter { $0.source != "database" }.count
        counts["other_sources_in_databases"] = matchedOther
        if let sampled {
            let others = reviewers.dropFirst().compactMap { decisions[$0] }.flatMap { $0.rows.map(\.recordID) }
            counts["sampled"] = sampled.count
            counts["sample_screened_twice"] = Set(others).intersection(sampled).count
            log += "sample: \(sampled.count) records of phase \(phase) sampled; the other reviewers decided \(Set(others).intersection(sampled).count) of them and \(Set(others).subtracting(sampled).count) records outside it\n"
        }
        let summary = "\(phase): \(finals.count) screened, \(included.count) included" + (counts["not_retrieved"] ?? 0 > 0 ? ", \(counts["not_retrieved"] ?? 0) not retrieved" : "")
        return StepOutcome(summary: summary, counts: counts, log: summary + "\n" + log)
    }
}
