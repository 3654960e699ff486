import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// What one import of search exports gave: per file, per database and per format counts, and what was skipped.
public struct ImportSummary: Sendable, Equatable {
    /// One export file.
    public struct File: Sendable, Equatable {
        public var file: String
        public var format: String
        public var database: String
        public var records: Int
        public var skipped: Int
    }

    public var files: [File] = []
    public var issues: [ReadIssue] = []
    public var warnings: [ReadWarning] = []

    public var total: Int { files.reduce(0) { $0 + $1.records } }
    public var skipped: Int { files.reduce(0) { $0 + $1.skipped } }

    /// `identification.json`: the PRISMA identification box's counts, sorted keys, no timestamps.
    public var identificationJSON: String {
        var databases: [String: Int] = [:]
        var formats: [String: Int] = [:]
        for file in files {
            databases[file.database, default: 0] += file.records
            formats[file.format, default: 0] += file.records
        }
        func counts(_ values: [String: Int]) -> JSONValue { .object(values.map { JSONMember($0.key, .number(String($0.value))) }) }
        return CanonicalJSON.pretty(
            .object([
                JSONMember("databases", counts(databases)),
                JSONMember("formats", counts(formats)),
                JSONMember(
                    "files",
                    .array(
                        files.map { file in
                            .object([
                                JSONMember("database", .string(file.database)), JSONMember("file", .string(file.file)),
                                JSONMember("format", .string(file.format)), JSONMember("records", .number(String(file.records))),
                                JSONMember("skipped", .number(String(file.skipped))),
                            ])
                        })),
                JSONMember("records", .number(String(total))),
                JSONMember("skipped", .number(String(skipped))),
                JSONMember("skipped_records", .array(issues.map { .string($0.description) })),
            ]))
    }

    /// One line for the trail commit.
    public var sentence: String {
        "\(total) records imported from \(files.count) export\(files.count == 1 ? "" : "s")" + (skipped > 0 ? ", \(skipped) malformed skipped" : "")
    }
}

/// Reads search exports into canonical records, written as JSON Lines: what `records/import` and
/// `review records import` share.
public enum RecordImport {
    /// Imports `files` (path as recorded, location to read) in order into `output` (JSON Lines).
    /// - Parameters:
    ///   - databases: database names by file stem, overriding what the exports say.
    ///   - progress: called with the running count each time it passes a multiple of 10,000 records.
    /// - Throws: `RunnerError.input` (exit 2) for two files with one stem, an unknown format, or a
    ///   malformed record under `strict`; `RunnerError.io` when the output cannot be written.
    public static func run(
        files: [(path: String, location: String)], format: RecordFormat?, strict: Bool, databases: [String: String] = [:],
        columnMap: ColumnMap? = nil, output: URL, progress: (String) -> Void = { _ in }
    ) throws(RunnerError) -> ImportSummary {
        var stems: [String: String] = [:]
        for file in files {
            let stem = RecordReader.stem(of: file.path)
            if let other = stems[stem] {
                throw .input(InputError(file: file.path, "has the same stem \"\(stem)\" as \(other), so their record ids would clash; rename one of them"))
            }
            stems[stem] = file.path
        }
        var summary = ImportSummary()
        do {
            let writer = try RecordWriter.jsonLines(to: output)
            var count = 0
            for file in files {
                let stem = RecordReader.stem(of: file.path)
                let options = ReadOptions(format: format, database: databases[stem], columnMap: columnMap, strict: strict)
                var reader = try RecordReader(contentsOf: URL(fileURLWithPath: file.location), fileName: file.path, options: options)
                var database = databases[stem]
                var records = 0
                // A large RIS export is parsed and encoded on every core; the batches are written in file order.
                try reader.forEachBatch { batch in
                    (RecordWriter.EncodedJSONLines(batch), batch.lazy.compactMap(\.source.database).first)
                } consume: { (batch: (encoded: RecordWriter.EncodedJSONLines, database: String?)) throws(BibliographyError) in
                    if database == nil { database = batch.database }
                    try writer.write(batch.encoded)
                    records += batch.encoded.count
                    if (count + batch.encoded.count) / 10_000 > count / 10_000 {
                        progress("\(count + batch.encoded.count) records imported")
                    }
                    count += batch.encoded.count
                }
                summary.files.append(
                    ImportSummary.File(
                        file: file.path, format: reader.format.rawValue, database: database ?? stem, records: records, skipped: reader.issues.count))
                summary.issues += reader.issues
                summary.warnings += reader.warnings
            }
            try writer.finish()
        } catch {
            throw Self.runnerError(error)
        }
        return summary
    }

    /// The runner error (with its exit code) for a Bibliography error.
    public static func runnerError(_ error: BibliographyError) -> RunnerError {
        switch error {
        case .malformedRecord(let file, let line, let message), .malformedFile(let file, let line, let message):
            .input(InputError(file: file, line: line, message))
        case .unreadable(let file, _), .unknownFormat(let file), .missingColumn(let file, _, _):
            .input(InputError(file: file, String(error.description.dropFirst(error.description.hasPrefix(file + ": ") ? file.count + 2 : 0))))
        case .invalidColumnMap:
            .usage(error.description)
        case .writeFailed(let file, _):
            .io(path: file, message: error.description)
        }
    }
}

/// `records/import`: reads every search export of the stage into one canonical record per line, and counts
/// them per database and per format for the PRISMA flow's identification box.
public struct RecordsImportStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "records/import", version: "1",
        summary: "Reads search exports (RIS, MEDLINE/nbib, Web of Science, CSV, EndNote XML, BibTeX) into canonical records",
        parameters: [
            ParameterSpec("format", .string, "Read every export in this format instead of detecting it", allowed: RecordFormat.allCases.map(\.rawValue)),
            ParameterSpec("strict", .boolean, "Stop at the first malformed record instead of skipping and counting it"),
            ParameterSpec("databases", .object, "Database names by export file stem, e.g. {\"medline\": \"Ovid MEDLINE\"}"),
        ],
        inputs: ["export files (a glob may name many)"], variadicInputs: true,
        outputs: ["records.jsonl (one canonical record per line)", "identification.json (records per database and per format)"])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        var seen: Set<String> = []
        let files = context.inputs.joined().filter { seen.insert($0.path).inserted }.map { (path: $0.path, location: $0.location) }
        var databases: [String: String] = [:]
        for member in context.step.parameter("databases")?.objectValue ?? [] {
            guard let name = member.value.stringValue else {
                throw .usage("step \(context.step.name): with.databases.\(member.key) must be a string")
            }
            databases[member.key] = name
        }
        let summary = try RecordImport.run(
            files: files, format: context.step.parameter("format")?.stringValue.flatMap(RecordFormat.init(rawValue:)),
            strict: context.step.parameter("strict")?.boolValue ?? false, databases: databases, output: context.outputs[0],
            progress: context.progress)
        try context.write(summary.identificationJSON, toOutput: 1)
        let log = (summary.issues.map { "skipped \($0)" } + summary.warnings.map { "warning \($0)" }).joined(separator: "\n")
        return StepOutcome(
            summary: summary.sentence, counts: ["records": summary.total, "skipped": summary.skipped, "exports": summary.files.count],
            log: summary.sentence + "\n" + (log.isEmpty ? "" : log + "\n"))
    }
}
