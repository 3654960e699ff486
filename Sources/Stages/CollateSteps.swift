import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// The stage 2 and 3 files the PRISMA flow is counted from, read and counted once.
struct SelectionInputs {
    var identification: Identification
    var records: [RecordSummary]
    var unique: [RecordSummary]
    var included: [RecordSummary]
    var selection: SelectionPhases
    var flow: PrismaFlow

    /// Reads inputs 0–4 (identification.json, records.jsonl, unique.jsonl, duplicates.csv, included.jsonl) and the
    /// `final-<phase>.csv` files among `finals`, then counts the flow.
    static func read(_ context: StepContext, finals: [ResolvedFile]) throws(RunnerError) -> SelectionInputs {
        let step = context.step.name
        guard let phases = context.step.parameter("phases")?.arrayValue?.compactMap(\.stringValue), phases.count >= 2 else {
            throw .usage("step \(step): with.phases must list the selection phases in order, at least two (screening, then full text)")
        }
        var kinds: [String: String] = [:]
        let boxes = ["website_results", "organisation_results", "citations_results"]
        for member in context.step.parameter("other_sources")?.objectValue ?? [] {
            guard let box = member.value.stringValue, boxes.contains(box) else {
                throw .usage("step \(step): with.other_sources.\(member.key) must be one of \(boxes.joined(separator: ", "))")
            }
            kinds[member.key] = box
        }
        let reasons = context.step.parameter("reasons")?.arrayValue?.compactMap(\.stringValue)
        let identification = try Identification.read(try context.inputFile(0))
        let records = try RecordSummary.readAll(try context.inputFile(1))
        let unique = try RecordSummary.readAll(try context.inputFile(2))
        let duplicates = try Duplicates.read(try context.inputFile(3))
        let included = try RecordSummary.readAll(try context.inputFile(4))
        let selection = try SelectionPhases.read(finals, phases: phases)
        let flow = try PrismaFlow.count(
            identification: identification, records: records, unique: unique, duplicates: duplicates, included: included, selection: selection,
            kinds: kinds, reasons: reasons)
        if let violation = flow.firstViolation { throw .stepFailed(step: step, message: violation) }
        return SelectionInputs(identification: identification, records: records, unique: unique, included: included, selection: selection, flow: flow)
    }

    /// The source of every included study in the last phase (`database` or the other-source kind).
    var sources: [String: String] {
        var out: [String: String] = [:]
        for decision in selection.decisions.last ?? [] { out[decision.recordID] = decision.source }
        return out
    }

    static let parameters = [
        ParameterSpec("phases", .stringArray, required: true, "The selection phases in order (final-<phase>.csv each): the first screens records, the later ones assess reports"),
        ParameterSpec("other_sources", .object, "PRISMA box per other-source kind: website_results, organisation_results or citations_results (defaults: reference-list → citations_results, expert → organisation_results, hand-search → website_results)"),
        ParameterSpec("reasons", .stringArray, "The closed list of full-text exclusion reasons; a reason outside it violates an invariant"),
    ]
}

/// `collate/prisma`: the PRISMA 2020 flow counted record by record, checked against the invariants of the flow,
/// written as PRISMA.csv in the PRISMA2020 package's template layout and drawn as prisma-flow.svg.
public struct CollatePrismaStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "collate/prisma", version: "1",
        summary: "Counts the PRISMA 2020 flow from the search and selection files, checks its invariants and writes PRISMA.csv (PRISMA2020 template layout) and prisma-flow.svg",
        parameters: SelectionInputs.parameters,
        inputs: [
            "identification.json (records per export)", "records.jsonl (every imported record)", "unique.jsonl (one record per duplicate cluster)",
            "duplicates.csv", "included.jsonl (the included studies)", "final-<phase>.csv (final decisions, one file per phase)",
        ], variadicInputs: true,
        outputs: ["PRISMA.csv (the PRISMA2020 template's rows with n filled in)", "prisma-flow.svg (PRISMA 2020 flow diagram)"])

    /// The PRISMA2020 template as that package ships it (n = 0 or its placeholder lists), from the rows written
    /// into the code: the test that compares it with the package's file proves the layout is the template's.
    public static func templateCSV() -> String { PrismaTemplate.csv(PrismaTemplate.templateN) }

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let inputs = try SelectionInputs.read(context, finals: Array(context.inputs.dropFirst(5).joined()))
        let flow = inputs.flow
        try context.write(flow.csv, toOutput: 0)
        try context.write(PrismaFlowSVG.draw(flow) { _ in nil }, toOutput: 1)
        let summary = "PRISMA flow: \(flow["records_screened"]) records screened, \(flow["dbr_assessed"] + flow["other_assessed"]) reports assessed, \(flow["new_studies"]) studies included"
        var log = summary + "\n"
        for invariant in flow.invariants { log += "holds: \(invariant.name) (\(invariant.detail))\n" }
        return StepOutcome(
            summary: summary,
            counts: ["records_screened": flow["records_screened"], "reports_assessed": flow["dbr_assessed"] + flow["other_assessed"], "studies_included": flow["new_studies"]],
            log: log)
    }
}

/// `collate/tables`: counts and percentages per charted variable, cross-tabulations, and bar charts.
public struct CollateTablesStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "collate/tables", version: "1",
        summary: "Counts and percentages per charted variable (multiple choice split on ;), cross-tabulations, and bar charts",
        parameters: [
            ParameterSpec("crosstabs", .stringArray, "Cross-tabulations to write, each row:column (two codebook variables), e.g. role_type:main_focus"),
            ParameterSpec("charts", .boolean, "Draw a bar chart per category and integer variable (default true)"),
        ],
        inputs: ["codebook.json", "charted.csv (one row per included study)"],
        outputs: ["tables/ (<variable>.csv and .md, <row>-by-<column>.csv and .md)", "figures/ (<variable>.svg bar charts)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let codebook = try CollateCodebook.read(try context.inputFile(0))
        let charted = try ChartedTable.read(try context.inputFile(1), codebook: codebook)
        let crosstabs = context.step.parameter("crosstabs")?.arrayValue?.compactMap(\.stringValue) ?? []
        let tables = try CollatedTables.build(codebook: codebook, charted: charted, crosstabs: crosstabs, step: context.step.name)
        let files = tables.files(charts: context.step.parameter("charts")?.boolValue ?? true)
        try FileManager.default.createDirectoryIfNeeded(context.outputs[0])
        try FileManager.default.createDirectoryIfNeeded(context.outputs[1])
        for (name, text) in files.tables { try AtomicFile.write(text, to: context.outputs[0].appendingPathComponent(name)) }
        for (name, text) in files.figures { try AtomicFile.write(text, to: context.outputs[1].appendingPathComponent(name)) }
        let summary = "\(tables.frequencies.count) variables of \(charted.studies.count) studies tabulated, \(tables.crosses.count) cross-tabulations, \(files.figures.count) charts"
        return StepOutcome(
            summary: summary, counts: ["studies": charted.studies.count, "tables": files.tables.count / 2, "figures": files.figures.count], log: summary + "\n")
    }
}

/// `collate/report`: report.md and a self-contained report.html whose numbers link to their records, the
/// PRISMA-ScR checklist, and the paper's figures beside the data's.
public struct CollateReportStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "collate/report", version: "1",
        summary: "Writes report.md, a self-contained report.html (every number links to its records), prisma-scr.csv and comparison.csv (the paper's figures beside the data's)",
        parameters: SelectionInputs.parameters + [
            ParameterSpec("title", .string, "The report's title"),
            ParameterSpec("crosstabs", .stringArray, "Cross-tabulations to show, each row:column"),
            ParameterSpec("derive", .object, "How to derive a reported figure, by its id: a PRISMA variable, databases, count(condition) or percent(condition [of base]); conditions are var=a|b, var==a, var!=a, var>=n, var<=n, source=kind, joined by &"),
            ParameterSpec("checks", .stringArray, "Relations among the paper's figures to check, e.g. a + b = c or a + b <= c (figure ids)"),
            ParameterSpec("locations", .object, "Where the manuscript reports a PRISMA-ScR item, by item number (makes it reported)"),
            ParameterSpec("critical_appraisal", .boolean, "Whether sources of evidence were critically appraised (items 12 and 16); default false"),
        ],
        inputs: [
            "identification.json", "records.jsonl", "unique.jsonl", "duplicates.csv", "included.jsonl", "codebook.json", "charted.csv",
            "reported_in_paper.json (the paper's figures, compared only)",
            "final-<phase>.csv files, and further review files the checklist reports on (protocol.json, search-strategy.txt, agreement-*.json, PRISMA.csv, prisma-flow.svg, tables/, figures/, workflow.json)",
        ], variadicInputs: true,
        outputs: ["report.md", "report.html (self-contained)", "prisma-scr.csv (PRISMA-ScR checklist)", "comparison.csv (the paper's figures beside the data's)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let step = context.step.name
        let further = Array(context.inputs.dropFirst(8).joined())
        let inputs = try SelectionInputs.read(context, finals: further)
        let codebookFile = try context.inputFile(5)
        let chartedFile = try context.inputFile(6)
        let codebook = try CollateCodebook.read(codebookFile)
        let charted = try ChartedTable.read(chartedFile, codebook: codebook)
        let includedIDs = Set(inputs.included.map(\.id))
        let chartedIDs = Set(charted.studies.map(\.id))
        if includedIDs != chartedIDs {
            let missing = inputs.included.map(\.id).filter { !chartedIDs.contains($0) }
            let extra = charted.studies.map(\.id).filter { !includedIDs.contains($0) }
            throw .input(
                InputError(
                    file: chartedFile.path,
                    "charts other studies than included.jsonl" + (missing.isEmpty ? "" : "; not charted: " + listed(missing))
                        + (extra.isEmpty ? "" : "; charted but not included: " + listed(extra))))
        }
        let crosstabs = context.step.parameter("crosstabs")?.arrayValue?.compactMap(\.stringValue) ?? []
        let tables = try CollatedTables.build(codebook: codebook, charted: charted, crosstabs: crosstabs, step: step)
        let figures = try ReportedFigure.read(try context.inputFile(7))
        var derive: [String: String] = [:]
        for member in context.step.parameter("derive")?.objectValue ?? [] {
            guard let text = member.value.stringValue else { throw .usage("step \(step): with.derive.\(member.key) must be a string") }
            derive[member.key] = text
        }
        let checks = context.step.parameter("checks")?.arrayValue?.compactMap(\.stringValue) ?? []
        let sources = inputs.sources
        let data = StudyData(studies: charted.studies, source: sources, codebook: codebook)
        let comparison = try Comparison.build(
            figures: figures, derive: derive, checks: checks, flow: inputs.flow, databases: inputs.identification.perDatabase.count, data: data, step: step)

        var evidence = ChecklistEvidence(codebookPath: codebookFile.path, chartedPath: chartedFile.path)
        try evidence.scan(further)
        var locations: [String: String] = [:]
        for member in context.step.parameter("locations")?.objectValue ?? [] {
            guard let number = Int(member.key), (1...22).contains(number), let text = member.value.stringValue else {
                throw .usage("step \(step): with.locations.\(member.key) must be an item number 1–22 with a string locator")
            }
            locations[member.key] = text
        }
        let checklist = evidence.checklist(locations: locations, appraisal: context.step.parameter("critical_appraisal")?.boolValue ?? false)

        let builder = ReportBuilder(
            title: context.string("title", default: "Scoping review: collated results"), flow: inputs.flow, tables: tables, comparison: comparison,
            checklist: checklist, included: inputs.included, source: sources, phaseNames: inputs.selection.names)
        let document = ReportDocument(title: builder.title, blocks: builder.blocks())
        var records: [String: RecordSummary] = [:]
        for record in inputs.records + inputs.included { records[record.id] = record }
        try context.write(document.markdown, toOutput: 0)
        try context.write(document.html(records: records), toOutput: 1)
        var scr = CSVTable.line(ChecklistItem.header)
        for item in checklist { scr += CSVTable.line(item.fields) }
        try context.write(scr, toOutput: 2)
        try context.write(comparison.csv, toOutput: 3)
        let differing = comparison.rows.filter { $0.match == "differs" }.count
        let summary = "report of \(inputs.flow["new_studies"]) studies; \(comparison.rows.count) figures of the paper compared (\(differing) differ), \(comparison.inconsistencies.count) inconsistencies in the paper"
        let statuses = Dictionary(grouping: checklist, by: \.status).mapValues(\.count)
        return StepOutcome(
            summary: summary,
            counts: [
                "studies": inputs.flow["new_studies"], "figures_compared": comparison.rows.count, "figures_differing": differing,
                "paper_inconsistencies": comparison.inconsistencies.count, "checklist_missing": statuses["missing"] ?? 0,
            ],
            log: summary + "\n" + comparison.inconsistencies.map { "paper: \($0)\n" }.joined())
    }
}

extension FileManager {
    /// Creates a folder output (a review step may produce no file in it).
    func createDirectoryIfNeeded(_ url: URL) throws(RunnerError) {
        do { try createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .io(path: url.path, message: "cannot create the folder: \(error.localizedDescription)")
        }
    }
}
