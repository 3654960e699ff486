import ArgumentParser
import Bibliography
import Foundation
import RunnerCore
import Stages

struct Records: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Read, write and convert bibliographic records (no workflow.json needed).",
        subcommands: [RecordsImportCommand.self, RecordsExportCommand.self])
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
