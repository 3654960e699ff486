import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// Turns a Rayyan export, whose notes column holds each reviewer's decision
/// (`RAYYAN-INCLUSION: {"A"=>"Included", "B"=>"Excluded"} | RAYYAN-EXCLUSION-REASONS: …`), into decision files.
public enum RayyanImport {
    /// The decision files' rows per reviewer id.
    /// - Parameters:
    ///   - records: the review's records; each Rayyan row is matched by DOI, else by title and year.
    ///   - reviewers: reviewer ids by the names Rayyan shows.
    ///   - reasons: the closed list of reason ids.
    ///   - reasonMap: reason ids by Rayyan's exclusion-reason labels (a label that is itself an id needs no entry).
    /// - Throws: `RunnerError.input` naming file:line for a row that matches no record or the record of another row,
    ///   an unknown reviewer, an unknown decision or a reason with no id.
    public static func decisions(
        export: ResolvedFile, records: [Record], reviewers: [String: String], reasons: [String], reasonMap: [String: String]
    ) throws(RunnerError) -> [String: [DecisionRow]] {
        var byDOI: [String: String] = [:]
        var byTitle: [String: String] = [:]
        for record in records {
            if let doi = record.doi, byDOI[doi] == nil { byDOI[doi] = record.id }
            if let key = OtherSourceStudy.matchKey(title: record.title, year: record.year), byTitle[key] == nil { byTitle[key] = record.id }
        }
        var out: [String: [DecisionRow]] = Dictionary(uniqueKeysWithValues: reviewers.values.map { ($0, []) })
        var matched: [String: Int] = [:]
        var exported: [Record] = []
        do {
            var reader = try RecordReader(contentsOf: export.url, fileName: export.path, options: ReadOptions(format: .csv, strict: true))
            while let row = try reader.next() { exported.append(row) }
        } catch {
            throw RecordImport.runnerError(error)
        }
        for row in exported {
            let line = row.source.line
            func fail(_ message: String) -> RunnerError { .input(InputError(file: export.path, line: line, message)) }
            guard let id = row.doi.flatMap({ byDOI[$0] }) ?? OtherSourceStudy.matchKey(title: row.title, year: row.year).flatMap({ byTitle[$0] }) else {
                throw fail("\"\(row.title ?? "(no title)")\" (\(row.year.map(String.init) ?? "no year")) matches no record of the review by DOI or by title and year")
            }
            if let previous = matched[id] { throw fail("is record \(id) again (line \(previous)): a duplicate row") }
            matched[id] = line
            guard let notes = row.notes.flatMap(RayyanNotes.init(parsing:)) else { continue }
            var reason = ""
            if let label = notes.exclusionReasons.first {
                guard let mapped = reasonMap[label] ?? (reasons.contains(label) ? label : nil) else {
                    throw fail("Rayyan's exclusion reason \"\(label)\" has no reason id; map it in with.reason_map to one of: \(reasons.joined(separator: ", "))")
                }
                reason = mapped
            }
            for decision in notes.decisions {
                guard let reviewer = reviewers[decision.reviewer] else {
                    throw fail("reviewer \"\(decision.reviewer)\" is not in with.reviewers (\(reviewers.keys.sorted().joined(separator: ", ")))")
                }
                let value: ScreeningDecision
                switch decision.decision.lowercased() {
                case "included": value = .include
                case "excluded": value = .exclude
                case "maybe": value = .maybe
                default: throw fail("decision \"\(decision.decision)\" of \(decision.reviewer) is not Included, Excluded or Maybe")
                }
                out[reviewer, default: []].append(
                    DecisionRow(recordID: id, decision: value, reason: value == .exclude ? reason : "", note: notes.userNotes.joined(separator: "; "), line: line))
            }
        }
        return out
    }

    /// A decision file's text.
    public static func csv(_ rows: [DecisionRow]) -> String {
        CSVTable.line(DecisionFile.header) + rows.map { CSVTable.line([$0.recordID, $0.decision.rawValue, $0.reason, $0.note]) }.joined()
    }
}

/// `screening/import-rayyan`: a Rayyan export's decisions, per reviewer, as `decisions/<phase>-<reviewer>.csv`.
public struct ScreeningImportRayyanStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "screening/import-rayyan", version: "1",
        summary: "Turns the decisions in a Rayyan export's notes column (RAYYAN-INCLUSION, RAYYAN-EXCLUSION-REASONS) into one decision file per reviewer",
        parameters: [
            ParameterSpec("phase", .string, required: true, "The phase these decisions belong to ([a-z0-9]+)"),
            ParameterSpec("reviewers", .object, required: true, "Reviewer ids by the names Rayyan shows, e.g. {\"Ana\": \"first\", \"Ben\": \"second\"}"),
            ParameterSpec("reasons", .stringArray, required: true, "The closed list of exclusion reasons"),
            ParameterSpec("reason_map", .object, "Reason ids by Rayyan's exclusion-reason labels, e.g. {\"wrong population\": \"not-peer-worker\"}"),
        ],
        inputs: ["the Rayyan export (CSV)", "records of the review (2-search/out/unique.jsonl)"],
        outputs: ["decisions/<phase>-<reviewer A>.csv", "decisions/<phase>-<reviewer B>.csv"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let parameters = StepParameters(context: context)
        let phase = try parameters.requiredString("phase")
        let reasons = try parameters.strings("reasons") ?? []
        func map(_ key: String) throws(RunnerError) -> [String: String] {
            var out: [String: String] = [:]
            for member in context.step.parameter(key)?.objectValue ?? [] {
                guard let value = member.value.stringValue else { throw .usage("step \(context.step.name): with.\(key).\(member.key) must be a string") }
                out[member.key] = value
            }
            return out
        }
        let reviewers = try map("reviewers")
        let reasonMap = try map("reason_map")
        for (label, id) in reasonMap where !reasons.contains(id) {
            throw .usage("step \(context.step.name): with.reason_map.\(label): \"\(id)\" is not in with.reasons")
        }
        let rows = try RayyanImport.decisions(
            export: try context.inputFile(0), records: try readRecords(try context.inputFile(1)), reviewers: reviewers, reasons: reasons, reasonMap: reasonMap)
        var counts: [String: Int] = [:]
        for (index, path) in context.step.outputs.enumerated() {
            guard let parts = DecisionFile.nameParts(path), parts.phase == phase else {
                throw .usage("step \(context.step.name): output \(path) is not named \(phase)-<reviewer>.csv")
            }
            guard let reviewerRows = rows[parts.reviewer] else {
                throw .usage("step \(context.step.name): output \(path) names reviewer \(parts.reviewer), whom with.reviewers does not map")
            }
            try context.write(RayyanImport.csv(reviewerRows), toOutput: index)
            counts[parts.reviewer] = reviewerRows.count
        }
        let sentence = counts.keys.sorted().map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")
        return StepOutcome(summary: "\(phase): Rayyan decisions imported (\(sentence))", counts: counts, log: sentence + "\n")
    }
}
