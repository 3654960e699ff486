import Bibliography
import Foundation
import RunnerCore
import WorkflowModel

/// Deduplicates canonical records (JSON Lines) and writes unique.jsonl, duplicates.csv and uncertain.csv:
/// what `records/deduplicate` and `review records dedup` share.
public enum RecordDeduplication {
    /// Reads `records` (JSON Lines) and the decision files, deduplicates and writes the outputs.
    /// - Parameters:
    ///   - records: the records file (path as recorded, location to read).
    ///   - decisions: decision files (`record_id_a,record_id_b,decision`), honoured on every run.
    ///   - unique: where to write the merged records (JSON Lines); `duplicates` and `uncertain` the two CSVs.
    /// - Returns: the result, for the summary.
    /// - Throws: `RunnerError.input` (exit 2) for a malformed record or decision row, or a decision naming an
    ///   unknown record; `RunnerError.io` when an output cannot be written.
    public static func run(
        records: (path: String, location: String), decisions: [(path: String, location: String)], options: DedupOptions,
        unique: URL, duplicates: URL?, uncertain: URL?, progress: (String) -> Void = { _ in }
    ) throws(RunnerError) -> DedupResult {
        var list: [Record] = []
        do {
            var reader = try RecordReader(
                contentsOf: URL(fileURLWithPath: records.location), fileName: records.path, options: ReadOptions(format: .jsonLines, strict: true))
            while let record = try reader.next() {
                list.append(record)
                if list.count % 100_000 == 0 { progress("\(list.count) records read") }
            }
        } catch {
            throw RecordImport.runnerError(error)
        }
        var rows: [DedupDecision] = []
        for file in decisions {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: file.location)) } catch {
                throw .input(InputError(file: file.path, "cannot read the decisions file (\(error.localizedDescription))"))
            }
            do { rows += try DedupFiles.decisions(data, file: file.path) } catch { throw runnerError(error) }
        }
        let result: DedupResult
        do { result = try Deduplicator.run(list, options: options, decisions: rows, progress: progress) } catch { throw runnerError(error) }
        do {
            let writer = try RecordWriter.jsonLines(to: unique)
            try writer.write(contentsOf: result.unique)
            try writer.finish()
        } catch {
            throw RecordImport.runnerError(error)
        }
        if let duplicates { try AtomicFile.write(DedupFiles.duplicatesCSV(result), to: duplicates) }
        if let uncertain { try AtomicFile.write(DedupFiles.uncertainCSV(result), to: uncertain) }
        return result
    }

    /// The runner error (exit 2, naming file and line) for a deduplication error.
    public static func runnerError(_ error: DedupError) -> RunnerError {
        switch error {
        case let .unknownRecord(file, line, id):
            .input(InputError(file: file, line: line, field: "record id", "unknown record id \"\(id)\" (not among the records being deduplicated)"))
        case let .malformedDecision(file, line, message):
            .input(InputError(file: file, line: line, message))
        case .duplicateID:
            .input(InputError(file: "records", error.description))
        }
    }

    /// The counts for the manifest and the summary.
    public static func counts(_ result: DedupResult) -> [String: Int] {
        [
            "records": result.recordsIn, "duplicates_removed": result.duplicatesRemoved, "clusters": result.clusters,
            "unique": result.unique.count, "uncertain_pairs": result.uncertain.count,
        ]
    }
}

/// `records/deduplicate`: finds duplicate records (DOI, PMID, and fuzzy title, authors, year, journal, volume and
/// pages), keeps the first member of each cluster merged with the most complete fields of the others, and lists
/// the pairs near the threshold for a person to decide.
public struct RecordsDeduplicateStep: BuiltinStep {
    public init() {}

    public let spec = StepKindSpec(
        name: "records/deduplicate", version: "1",
        summary: "Finds and merges duplicate records (DOI, PMID, fuzzy title, authors, year, journal, volume, pages)",
        parameters: [
            ParameterSpec("threshold", .number, "Score (0 to 1) at or above which two records are duplicates (default 0.9)", minimum: 0, maximum: 1),
            ParameterSpec(
                "uncertain_band", .number, "Pairs scoring within this distance below the threshold are listed as uncertain (default 0.1)",
                minimum: 0, maximum: 1),
            ParameterSpec(
                "link_notices", .boolean,
                "Also merge errata, corrections, retractions and replies into the record they are about (default false: they stay records of their own)"),
        ],
        inputs: ["records.jsonl (canonical records), then optional decision files (record_id_a,record_id_b,decision: same|different)"],
        variadicInputs: true,
        outputs: [
            "unique.jsonl (one merged record per cluster, with the id of its first member)",
            "duplicates.csv (cluster,record_id,source_id,status,match,score)",
            "uncertain.csv (record_id_a,record_id_b,score,match)",
        ])

    public func run(_ context: StepContext) throws(RunnerError) -> StepOutcome {
        let records = try context.inputFile(0)
        let decisions = context.inputs.dropFirst().joined().map { (path: $0.path, location: $0.location) }
        var options = DedupOptions()
        if let t = context.step.parameter("threshold")?.doubleValue { options.threshold = t }
        if let b = context.step.parameter("uncertain_band")?.doubleValue { options.uncertainBand = b }
        if let n = context.step.parameter("link_notices")?.boolValue { options.linkNotices = n }
        let result = try RecordDeduplication.run(
            records: (path: records.path, location: records.location), decisions: decisions, options: options,
            unique: context.outputs[0], duplicates: context.outputs[1], uncertain: context.outputs[2], progress: context.progress)
        let sentence = "\(result.duplicatesRemoved) duplicates removed in \(result.clusters) clusters, \(result.unique.count) unique, "
            + "\(result.uncertain.count) uncertain pair\(result.uncertain.count == 1 ? "" : "s")"
        return StepOutcome(summary: sentence, counts: RecordDeduplication.counts(result), log: result.sentence + "\n")
    }
}
