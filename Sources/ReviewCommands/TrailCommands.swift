import Archive
import ArgumentParser
import Foundation
import RunnerCore
import Stages
import WorkflowModel

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "List the trail's snapshots, newest first.")

    @OptionGroup var options: ReviewOptions
    @Option(help: "Only snapshots of this stage.") var stage: String?
    @Flag(help: "Draw the chain of stage snapshots, with each one's summary, steps and counts.") var graph = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let entries = try TrailReader.open(try options.loadRecoveredFolder()).log(stage: stage)
        if json {
            Output.json(
                .array(
                    entries.map { entry in
                        .object([
                            JSONMember("commit", .string(entry.commit)), JSONMember("stage", .string(entry.stage)),
                            JSONMember("steps", .array(entry.steps.map { .string($0) })), JSONMember("time", .string(entry.time)),
                            JSONMember("summary", .string(entry.summary)),
                            JSONMember("counts", .object(entry.counts.sorted { $0.key < $1.key }.map { JSONMember($0.key, .number(String($0.value))) })),
                        ])
                    }))
            return
        }
        for (index, entry) in entries.enumerated() {
            let counts = entry.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            if graph {
                print("* \(entry.commit.prefix(7))  \(entry.stage)  \(entry.time)")
                print("|   \(entry.summary)")
                print("|   steps: \(entry.steps.joined(separator: ", "))")
                if !counts.isEmpty { print("|   counts: \(counts)") }
                if index + 1 < entries.count { print("|") }
            } else {
                print("\(entry.commit.prefix(7))  \(entry.time)  \(entry.stage)  [\(entry.steps.joined(separator: ", "))]  \(entry.summary)" + (counts.isEmpty ? "" : "  (\(counts))"))
            }
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a snapshot's manifest: its steps, inputs and outputs with SHA-256.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: ArgumentHelp("A commit id, trail~N, or @STAGE for the latest snapshot of a stage.", valueName: "REV")) var revision: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let (commit, manifest) = try TrailReader.open(try options.loadRecoveredFolder()).show(revision)
        if json {
            let manifestValue = try JSONParser.parse(manifest.encoded()).value
            Output.json(.object([JSONMember("commit", .string(commit.id)), JSONMember("manifest", manifestValue)]))
            return
        }
        print("snapshot \(commit.id)")
        print(manifest.summary)
        print("stage \(manifest.stage), runner \(manifest.runnerVersion), workflow.json \(manifest.workflow.sha256)")
        for name in manifest.ran {
            guard let step = manifest.step(name) else { continue }
            print("\nstep \(step.name) (\(step.uses ?? step.run?.joined(separator: " ") ?? step.kind)), key \(step.key)")
            for input in step.inputs { print("  in   \(input.sha256)  \(input.path)") }
            for output in step.outputs { print("  out  \(output.sha256)  \(output.path)") }
        }
        print("\n\(manifest.files.count) files in the snapshot")
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every snapshot from its committed blobs, check manifests, trailers and the chain, and compare the working files.")

    @OptionGroup var options: ReviewOptions
    @Option(help: ArgumentHelp("Also check that the trail still contains your copy: the tip id you noted, or your bundle or bag.", valueName: "OLD_TIP_OR_BUNDLE"))
    var against: String?
    @Option(help: ArgumentHelp("Check the snapshots' SSH signatures against this allowed-signers file (as git verify-commit does).", valueName: "FILE"))
    var allowedSigners: String?
    @Flag(help: "Print JSON.") var json = false
    @Option(help: ArgumentHelp("Verify an archive folder (or bag) instead: manifests, every payload file listed, the bundle against the trail.", valueName: "DIR"))
    var archive: String?

    func run() throws {
        if let archive {
            try verifyArchive(archive)
            return
        }
        let folder = try options.loadRecoveredFolder()
        let reader = try TrailReader.open(folder)
        let problems = try reader.verify()
        let snapshots = try reader.log().count
        let audit = try AuditVerification.run(folder: folder, against: against, allowedSigners: allowedSigners)
        if json {
            Output.json(
                .object(
                    [
                        JSONMember("ok", .bool(problems.isEmpty && audit.ok)), JSONMember("snapshots", .number(String(snapshots))),
                        JSONMember(
                            "problems",
                            .array(problems.map {
                                .object([JSONMember("snapshot", .string($0.snapshot)), JSONMember("path", .string($0.path)), JSONMember("message", .string($0.message))])
                            })),
                    ] + audit.json))
        } else {
            if problems.isEmpty {
                print("verified \(snapshots) snapshots: every file matches its manifest and trailers, the chain is intact, the working files match the last snapshot")
            } else {
                for problem in problems { print(problem.description) }
                print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
            }
            for line in audit.lines { print(line) }
        }
        if !problems.isEmpty || !audit.ok { throw ExitCode(1) }
    }

    func verifyArchive(_ directory: String) throws {
        let url = directory.hasPrefix("/") ? URL(fileURLWithPath: directory) : options.root.appendingPathComponent(directory)
        let folder = try? options.loadFolder()
        let problems = try ArchiveFailure.run { () throws(ArchiveError) in try ArchiveVerifier(directory: url, folder: folder).verify() }
        if json {
            Output.json(
                .object([
                    JSONMember("ok", .bool(problems.isEmpty)),
                    JSONMember("problems", .array(problems.map { .object([JSONMember("path", .string($0.path)), JSONMember("message", .string($0.message))]) })),
                ]))
        } else if problems.isEmpty {
            print("verified archive \(url.path): every manifest line matches, every payload file is listed, the bundle matches \(folder == nil ? "its header" : "the trail it names")")
        } else {
            for problem in problems { print(problem.description) }
            print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found")
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print the JSON Schema of workflow.json, with every built-in step's parameters.")

    func run() throws {
        Output.json(WorkflowSchema.generate(catalog: BuiltinSteps.registry.catalog))
    }
}
