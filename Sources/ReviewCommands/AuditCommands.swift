import ArgumentParser
import Audit
import Foundation
import RunnerCore
import Stages
import WorkflowModel

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Clone a trail into a temporary folder, run every step from scratch, and compare each output's SHA-256 with the recorded one.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: ArgumentHelp("A trail repository, a git bundle, or an archive bag (with data/audit/trail.bundle); default: this review's trail.", valueName: "SOURCE"))
    var source: String?
    @Flag(help: "Run command steps too (they can run anything; read them first).") var allowCommands = false
    @Flag(help: "Keep the temporary folder for inspection.") var keep = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let path: String
        if let source {
            path = source
        } else {
            path = try options.loadFolder().trailPath
        }
        let trail = try AuditCommandSupport.run { () throws(AuditError) in try TrailSource.classify(path) }
        let reproducer = Reproducer(registry: BuiltinSteps.registry, allowCommands: allowCommands, keep: keep, progress: { Output.progress($0) })
        let report = try AuditCommandSupport.run { () throws(AuditError) in try reproducer.reproduce(trail) }
        if json {
            Output.json(
                .object([
                    JSONMember("folder", report.kept ? .string(report.folder) : .null),
                    JSONMember("identical", .bool(report.identical)),
                    JSONMember(
                        "outputs",
                        .array(report.outputs.map { output in
                            .object([
                                JSONMember("identical", .bool(output.identical)), JSONMember("path", .string(output.path)),
                                JSONMember("recorded", output.recorded.map { .string($0) } ?? .null),
                                JSONMember("reproduced", output.reproduced.map { .string($0) } ?? .null), JSONMember("step", .string(output.step)),
                            ])
                        })),
                    JSONMember("snapshot", .string(report.snapshot)), JSONMember("source", .string(report.source.path)),
                    JSONMember("source_kind", .string(report.source.kind.rawValue)),
                    JSONMember("steps_run", .array(report.stepsRun.map { .string($0) })),
                ]))
        } else {
            for output in report.outputs {
                let verdict = output.identical ? "identical" : "different"
                let detail: String
                if output.identical {
                    detail = ""
                } else if output.recorded == nil {
                    detail = " (not recorded in the trail)"
                } else if output.reproduced == nil {
                    detail = " (not written by the fresh run)"
                } else {
                    detail = " (recorded \(output.recorded?.prefix(12) ?? ""), reproduced \(output.reproduced?.prefix(12) ?? ""))"
                }
                print("\(verdict)  \(output.path)\(detail)")
            }
            let different = report.outputs.filter { !$0.identical }.count
            print(
                different == 0
                    ? "reproduced snapshot \(report.snapshot.prefix(7)) bit for bit: \(report.outputs.count) outputs identical"
                    : "\(different) of \(report.outputs.count) outputs differ from snapshot \(report.snapshot.prefix(7))")
            if report.kept { print("kept \(report.folder)") }
        }
        if !report.identical { throw ExitCode(1) }
    }
}

/// Turns audit errors into the command line's one-line errors and exit codes.
enum AuditCommandSupport {
    static func run<T>(_ body: () throws(AuditError) -> T) throws -> T {
        do { return try body() } catch {
            Output.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Follow one record through every stage: export file and line, duplicate cluster, each reviewer's decisions, resolution, charted values, the numbers that count it.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: ArgumentHelp("A record id, <export-file-stem>:<n>.", valueName: "RECORD_ID")) var record: String
    @Option(name: .customLong("at"), help: ArgumentHelp("The snapshot to read (default: the tip).", valueName: "REV")) var revision: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let folder = try options.loadFolder()
        let report = try AuditCommandSupport.run { () throws(AuditError) in
            try Tracer(view: try TrailView(trailPath: folder.trailPath, branch: folder.workflow.trail.branch)).trace(record, at: revision)
        }
        if json {
            Output.json(report.json)
            return
        }
        print("record \(report.record) at snapshot \(report.at.prefix(7))" + (report.screenedAs.map { ", screened as \($0) (the kept member of its cluster)" } ?? ""))
        for event in report.events {
            print("\(event.stage.isEmpty ? "-" : event.stage)  \(event.snapshot.prefix(7))  \(event.kind)  \(event.path)  \(Self.describe(event.detail))")
        }
    }

    static func describe(_ detail: [JSONMember]) -> String {
        detail.map { member in
            switch member.value {
            case .string(let text): "\(member.key)=\(text)"
            case .number(let number): "\(member.key)=\(number)"
            case .bool(let flag): "\(member.key)=\(flag)"
            case .null: "\(member.key)=-"
            default: "\(member.key)=\(CanonicalJSON.compact(member.value))"
            }
        }.joined(separator: " ")
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two snapshots: records, duplicate clusters, decisions, charted values, report numbers, other files.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: ArgumentHelp("The older snapshot.", valueName: "REV1")) var first: String
    @Argument(help: ArgumentHelp("The newer snapshot.", valueName: "REV2")) var second: String
    @Option(help: ArgumentHelp("Only the files of this stage.", valueName: "S")) var stage: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let folder = try options.loadFolder()
        if let stage, !folder.workflow.stages.contains(where: { $0.id == stage }) {
            throw RunnerError.usage("unknown stage \"\(stage)\"; stages are \(folder.workflow.stages.map(\.id).joined(separator: ", "))")
        }
        let report = try AuditCommandSupport.run { () throws(AuditError) in
            try SnapshotDiffer(view: try TrailView(trailPath: folder.trailPath, branch: folder.workflow.trail.branch)).diff(first, second, stage: stage)
        }
        if json {
            Output.json(report.json)
            return
        }
        print("diff \(report.from.prefix(7)) \(report.to.prefix(7))")
        if report.isEmpty { print("no changes") }
        if !report.recordsAdded.isEmpty { print("records added (\(report.recordsAdded.count)): \(report.recordsAdded.joined(separator: ", "))") }
        if !report.recordsRemoved.isEmpty { print("records removed (\(report.recordsRemoved.count)): \(report.recordsRemoved.joined(separator: ", "))") }
        for item in report.clustersChanged {
            let kind = item["kind"]?.stringValue ?? ""
            func clusters(_ key: String) -> String {
                (item[key]?.arrayValue ?? []).map { "{" + ($0.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ") + "}" }.joined(separator: " ")
            }
            print("cluster \(kind): \(clusters("before")) -> \(clusters("after"))")
        }
        for item in report.decisionsChanged {
            func text(_ key: String) -> String { item[key]?.stringValue ?? "-" }
            print("decision \(text("record_id")) \(text("phase")) by \(text("who")): \(text("from")) (\(text("reason_from"))) -> \(text("to")) (\(text("reason_to")))")
        }
        var chartedRows: [String: [JSONValue]] = [:]
        var chartedOrder: [String] = []
        for item in report.chartedChanged {
            let id = item["record_id"]?.stringValue ?? ""
            if chartedRows[id] == nil { chartedOrder.append(id) }
            chartedRows[id, default: []].append(item)
        }
        for id in chartedOrder {
            let items = chartedRows[id] ?? []
            if items.allSatisfy({ $0["from"] == .null }) {
                print("charted \(id): row added (\(items.count) values)")
            } else if items.allSatisfy({ $0["to"] == .null }) {
                print("charted \(id): row removed")
            } else {
                for item in items {
                    func text(_ key: String) -> String { item[key]?.stringValue ?? "-" }
                    print("charted \(id) \(text("variable")): \(text("from")) -> \(text("to"))")
                }
            }
        }
        for item in report.numbersChanged {
            func text(_ key: String) -> String { item[key].map { $0.stringValue ?? ($0 == .null ? "-" : CanonicalJSON.compact($0)) } ?? "-" }
            print("number \(text("path")) \(text("name")): \(text("from")) -> \(text("to"))")
        }
        for item in report.filesChanged { print("file \(item["change"]?.stringValue ?? "") \(item["path"]?.stringValue ?? "")") }
    }
}
