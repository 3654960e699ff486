import ArgumentParser
import Bibliography
import Foundation
import RunnerCore
import Stages

struct Records: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Read, write and convert bibliographic records (no workflow.json needed).",
        subcommands: [RecordsImportCommand.self, RecordsDedupCommand.self, RecordsExportCommand.self])
}

struct RecordsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Read search exports into one canonical record per line (JSON Lines).")

    @Argument(help: "Export files: RIS, MEDLINE/nbib, Web of Science, CSV, EndNote XML, BibTeX.") var files: [String]
    @Option(name: .shortAndLong, help: "The JSON Lines file to write.") var output: String
    @Option(help: ArgumentHelp("Read every file in this format instead of detecting it.", valueName: RecordFormat.allCases.map(\.rawValue).joined(separator: "|")))
    var format: String?
    @Option(help: "The database to record for every file (instead of what the export says).") var database: String?
    @Option(name: .customLong("map"), help: ArgumentHelp("For CSV: field=Column, repeatable.", valueName: "field=Column")) var columnMap: [String] = []
    @Flag(help: "Stop at the first malformed record (exit 2) instead of skipping and counting it.") var strict = false
    @Option(help: "Also write the counts per database and format (identification.json) here.") var identification: String?

    func validate() throws {
        if let format, RecordFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of \(RecordFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if files.isEmpty { throw ValidationError("name at least one export file") }
    }

    func run() throws {
        let map: ColumnMap?
        do { map = columnMap.isEmpty ? nil : try ColumnMap(parsing: columnMap) } catch { throw RunnerError.usage(error.description) }
        let databases = Dictionary(files.map { (RecordReader.stem(of: $0), database ?? "") }.filter { !$0.1.isEmpty }, uniquingKeysWith: { first, _ in first })
        let outputURL = URL(fileURLWithPath: output)
        let temporary = outputURL.deletingLastPathComponent().appendingPathComponent(".\(outputURL.lastPathComponent).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let summary = try RecordImport.run(
            files: files.map { (path: $0, location: $0) }, format: format.flatMap(RecordFormat.init(rawValue:)), strict: strict,
            databases: databases, columnMap: map, output: temporary, progress: { Output.progress($0) })
        try Output.replace(outputURL, with: temporary)
        if let identification { try AtomicFile.write(summary.identificationJSON, to: URL(fileURLWithPath: identification)) }
        for issue in summary.issues { Output.progress("skipped malformed record \(issue)") }
        for warning in summary.warnings { Output.progress("warning: \(warning)") }
        for file in summary.files {
            print("\(file.file): \(file.records) records (\(file.format), \(file.database))" + (file.skipped > 0 ? ", \(file.skipped) malformed skipped" : ""))
        }
        print(summary.sentence + " into \(output)")
    }
}

struct RecordsDedupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup", abstract: "Find and merge duplicate records: one merged record per cluster, a report of every cluster.")

    @Argument(help: "A JSON Lines file of canonical records (records.jsonl).") var records: String
    @Option(name: .shortAndLong, help: "The JSON Lines file of unique (merged) records to write.") var output: String
    @Option(help: "The clusters to write (cluster,record_id,source_id,status,match,score).") var report: String
    @Option(help: "Also write the pairs near the threshold (record_id_a,record_id_b,score,match) here.") var uncertain: String?
    @Option(help: "Score from 0 to 1 at or above which two records are duplicates.") var threshold: Double = DedupOptions().threshold
    @Option(help: ArgumentHelp("A person's decisions (record_id_a,record_id_b,decision: same|different), repeatable.", valueName: "file"))
    var decisions: [String] = []
    @Flag(help: "Also merge errata, corrections, retractions and replies into the record they are about (by default they stay records of their own).")
    var linkNotices = false

    func validate() throws {
        guard (0...1).contains(threshold) else { throw ValidationError("--threshold must be between 0 and 1") }
    }

    func run() throws {
        var options = DedupOptions()
        options.threshold = threshold
        options.linkNotices = linkNotices
        let outputURL = URL(fileURLWithPath: output)
        let temporary = outputURL.deletingLastPathComponent().appendingPathComponent(".\(outputURL.lastPathComponent).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let result = try RecordDeduplication.run(
            records: (path: records, location: records), decisions: decisions.map { (path: $0, location: $0) }, options: options,
            unique: temporary, duplicates: nil, uncertain: nil, progress: { Output.progress($0) })
        try AtomicFile.write(DedupFiles.duplicatesCSV(result), to: URL(fileURLWithPath: report))
        if let uncertain { try AtomicFile.write(DedupFiles.uncertainCSV(result), to: URL(fileURLWithPath: uncertain)) }
        try Output.replace(outputURL, with: temporary)
        print("records in: \(result.recordsIn)")
        print("duplicates removed: \(result.duplicatesRemoved)")
        print("clusters: \(result.clusters)")
        print("unique: \(result.unique.count)")
        print("uncertain pairs: \(result.uncertain.count)")
    }
}

struct RecordsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write canonical records (JSON Lines) as RIS or CSV that EndNote, Zotero and Rayyan import.")

    @Argument(help: "A JSON Lines file of canonical records.") var records: String
    @Option(help: "ris or csv.") var to: String
    @Option(name: .shortAndLong, help: "The file to write.") var output: String

    func validate() throws {
        guard ["ris", "csv"].contains(to) else { throw ValidationError("--to must be ris or csv") }
    }

    func run() throws {
        let outputURL = URL(fileURLWithPath: output)
        let temporary = outputURL.deletingLastPathComponent().appendingPathComponent(".\(outputURL.lastPathComponent).partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        var count = 0
        do {
            var reader = try RecordReader(contentsOf: URL(fileURLWithPath: records), fileName: records, options: ReadOptions(format: .jsonLines, strict: true))
            let writer = to == "ris" ? try RecordWriter.ris(to: temporary) : try RecordWriter.csv(to: temporary)
            while let record = try reader.next() {
                try writer.write(record)
                count += 1
            }
            try writer.finish()
        } catch {
            throw RecordImport.runnerError(error)
        }
        try Output.replace(outputURL, with: temporary)
        print("\(count) records written to \(output) as \(to.uppercased())")
    }
}
