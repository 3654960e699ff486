import ContentHash
import Foundation
import WorkflowModel

/// The runner's version, recorded in every snapshot.
public let runnerVersion = "review 0.1.0"

/// One step's state as `review status` reports it.
public struct StepStatus: Sendable, Equatable {
    public var step: String
    public var stage: String
    public var reasons: [StaleReason]
    /// The upstream step whose outputs this one waits for, when its inputs do not exist yet.
    public var waitingFor: String?
    /// The snapshot the step last ran in.
    public var lastSnapshot: String?

    public var upToDate: Bool { reasons.isEmpty }
}

/// What `review status` finds.
public struct StatusReport: Sendable, Equatable {
    public var steps: [StepStatus]
    /// Files in a stage's out/ folder that no step declares.
    public var undeclared: [String]
    public var tip: String?
}

/// What `review run` did.
public struct RunReport: Sendable, Equatable {
    /// One committed stage snapshot.
    public struct Snapshot: Sendable, Equatable {
        public var stage: String
        public var commit: String
        public var summary: String
        public var steps: [String]
    }

    public var snapshots: [Snapshot] = []
    /// Steps that would run (dry run) or ran, with their reasons.
    public var planned: [StepStatus] = []
    public var upToDate: [String] = []
    public var recovered: String?
}

/// The options of `review run`.
public struct RunOptions: Sendable {
    public var targets: [String]
    public var force: Bool
    public var dryRun: Bool

    public init(targets: [String] = [], force: Bool = false, dryRun: Bool = false) {
        self.targets = targets
        self.force = force
        self.dryRun = dryRun
    }
}

/// Runs a review: plans from content hashes, runs stale steps into a staging folder, and puts each
/// stage's outputs in place together with its trail snapshot.
public final class Runner {
    public let folder: ReviewFolder
    let registry: StepRegistry
    let makeStore: (Bool) throws(RunnerError) -> any SnapshotStore
    let storeIsGiven: Bool
    let progress: @Sendable (String) -> Void

    /// - Parameters:
    ///   - store: opens the trail (`true`: create it when missing); defaults to the git trail of the workflow.
    ///   - progress: where progress lines go (stderr in the CLI).
    public init(
        folder: ReviewFolder, registry: StepRegistry, store: ((Bool) throws(RunnerError) -> any SnapshotStore)? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.folder = folder
        self.registry = registry
        self.progress = progress
        storeIsGiven = store != nil
        if let store {
            makeStore = store
        } else {
            let path = folder.trailPath
            let branch = folder.workflow.trail.branch
            makeStore = { create throws(RunnerError) in try GitSnapshotStore(path: path, branch: branch, create: create) }
        }
    }

    var stagingRoot: URL { folder.stateDirectory.appendingPathComponent("staging", isDirectory: true) }
    var backupRoot: URL { folder.stateDirectory.appendingPathComponent("backup", isDirectory: true) }

    /// The trail store when a trail exists, else nil.
    func existingStore() throws(RunnerError) -> (any SnapshotStore)? {
        if storeIsGiven || FileManager.default.fileExists(atPath: folder.trailPath) { return try makeStore(false) }
        return nil
    }

    /// The manifest at a commit.
    static func manifest(at commit: String, store: any SnapshotStore) throws(RunnerError) -> SnapshotManifest {
        guard let bytes = try store.read(SnapshotManifest.path, at: commit) else {
            throw .trail("snapshot \(commit.prefix(7)) has no \(SnapshotManifest.path)")
        }
        do { return try SnapshotManifest.decode(bytes) } catch {
            throw .trail("snapshot \(commit.prefix(7)): \(SnapshotManifest.path) cannot be read: \(error)")
        }
    }

    // MARK: Status

    /// Finishes or rolls back a stage that a crash interrupted while its outputs moved into place, unless a
    /// run is working now. Read commands call it first, so that they never see half a stage.
    /// - Returns: what was done, or nil when nothing had to be done.
    public func recoverInterruptedStage() throws(RunnerError) -> String? {
        guard FileManager.default.fileExists(atPath: Journal.url(in: folder.stateDirectory).path),
            let lock = try? RunLock(state: folder.stateDirectory)
        else { return nil }
        defer { withExtendedLifetime(lock) {} }
        let message = Journal.recover(root: folder.root, state: folder.stateDirectory, currentTip: try existingStore()?.tip())
        if let message { progress("recovered: \(message)") }
        return message
    }

    /// Every step, up to date or stale with its reasons.
    public func status() throws(RunnerError) -> StatusReport {
        _ = try recoverInterruptedStage()
        let store = try existingStore()
        let tip = try store?.tip()
        let manifest = try tip.flatMap { tip throws(RunnerError) in try store.map { store throws(RunnerError) in try Self.manifest(at: tip, store: store) } }
        let workspace = Workspace(folder: folder)
        defer { workspace.saveCache() }
        let planner = Planner(folder: folder, registry: registry)
        var steps: [StepStatus] = []
        var staleUpstream: [String] = []
        for step in folder.workflow.steps {
            let recorded = manifest?.step(step.name)
            let evaluation = try planner.evaluate(step, recorded: recorded, workspace: workspace)
            var waiting = evaluation.waitingFor
            if waiting == nil, let upstream = staleUpstream.last(where: { name in
                folder.workflow.step(named: name).map { producer in step.inputs.contains { input in producer.outputs.contains { WorkflowDecoder.reads(input, $0) } } } ?? false
            }) { waiting = upstream }
            if !evaluation.reasons.isEmpty || waiting != nil { staleUpstream.append(step.name) }
            steps.append(
                StepStatus(
                    step: step.name, stage: step.stageID, reasons: evaluation.reasons, waitingFor: waiting,
                    lastSnapshot: recorded.map { $0.snapshot ?? tip ?? "" }))
        }
        return StatusReport(steps: steps, undeclared: folder.undeclaredOutputFiles(), tip: tip)
    }

    // MARK: Run

    /// Runs the stale steps (of the targets and what they depend on) in order, one snapshot per stage that ran.
    /// - Throws: `RunnerError`; on any error the outputs and the trail are as they were before the stage.
    public func run(_ options: RunOptions) throws(RunnerError) -> RunReport {
        let lock = try RunLock(state: folder.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        var report = RunReport()
        let store = try makeStore(true)
        report.recovered = Journal.recover(root: folder.root, state: folder.stateDirectory, currentTip: try store.tip())
        if let recovered = report.recovered { progress("recovered: \(recovered)") }
        try? FileManager.default.removeItem(at: stagingRoot)
        try? FileManager.default.removeItem(at: backupRoot)
        let selected = try selection(options.targets)
        let targeted = Set(options.targets.isEmpty ? folder.workflow.steps.map(\.name) : try explicitTargets(options.targets))
        var tip = try store.tip()
        var manifest = try tip.map { tip throws(RunnerError) in try Self.manifest(at: tip, store: store) }
        let workspace = Workspace(folder: folder)
        defer { workspace.saveCache() }
        let planner = Planner(folder: folder, registry: registry)

        for stage in folder.workflow.stages {
            let steps = stage.steps.filter { selected.contains($0.name) }
            if steps.isEmpty { continue }
            workspace.overlay = [:]
            var ran: [(Step, StepRecord, StepEvaluation)] = []
            for step in steps {
                var evaluation = try planner.evaluate(step, recorded: manifest?.step(step.name), workspace: workspace)
                if options.force && targeted.contains(step.name) && evaluation.reasons.isEmpty { evaluation.reasons = [.forced] }
                let status = StepStatus(step: step.name, stage: stage.id, reasons: evaluation.reasons, waitingFor: nil, lastSnapshot: nil)
                if evaluation.reasons.isEmpty {
                    report.upToDate.append(step.name)
                    continue
                }
                report.planned.append(status)
                if options.dryRun { continue }
                if let waiting = evaluation.waitingFor, evaluation.inputs.contains(where: \.isEmpty) {
                    throw .stepFailed(step: step.name, message: "its input from \(waiting) does not exist")
                }
                progress("running \(step.name) (\(evaluation.reasons.map(\.description).joined(separator: "; ")))")
                let record = try runStep(step, evaluation: evaluation, workspace: workspace, planner: planner)
                ran.append((step, record, evaluation))
            }
            if ran.isEmpty || options.dryRun { continue }
            let snapshot = try commitStage(stage, ran: ran, previous: manifest, tip: tip, store: store, workspace: workspace)
            tip = snapshot.commit
            manifest = snapshot.manifest
            report.snapshots.append(RunReport.Snapshot(stage: stage.id, commit: snapshot.commit, summary: snapshot.manifest.summary, steps: ran.map(\.0.name)))
            progress("snapshot \(snapshot.commit.prefix(7)) \(snapshot.manifest.summary)")
        }
        try? FileManager.default.removeItem(at: stagingRoot)
        return report
    }

    private func explicitTargets(_ targets: [String]) throws(RunnerError) -> [String] {
        var names: [String] = []
        for target in targets {
            if let stage = folder.workflow.stages.first(where: { $0.id == target }) {
                names += stage.steps.map(\.name)
            } else if folder.workflow.step(named: target) != nil {
                names.append(target)
            } else {
                let known = folder.workflow.stages.map(\.id).joined(separator: ", ")
                throw .usage("unknown stage or step \"\(target)\"; stages are \(known), steps are written STAGE/STEP")
            }
        }
        return names
    }

    /// The targets and every step they depend on, transitively.
    private func selection(_ targets: [String]) throws(RunnerError) -> Set<String> {
        let steps = folder.workflow.steps
        if targets.isEmpty { return Set(steps.map(\.name)) }
        var selected = Set(try explicitTargets(targets))
        for step in steps.reversed() where selected.contains(step.name) {
            for producer in steps where producer.name != step.name
                && step.inputs.contains(where: { input in producer.outputs.contains { WorkflowDecoder.reads(input, $0) } })
            {
                selected.insert(producer.name)
            }
        }
        return selected
    }

    private func stagedLocation(_ step: Step, _ index: Int) -> URL {
        let output = step.outputs[index]
        let base = stagingRoot.appendingPathComponent(step.stageID).appendingPathComponent(step.id).appendingPathComponent("out\(index)")
        if isFolderPath(output) { return base.appendingPathComponent(String(output.dropLast().split(separator: "/").last ?? "out"), isDirectory: true) }
        return base.appendingPathComponent(String(output.split(separator: "/").last ?? "out"))
    }

    private func runStep(_ step: Step, evaluation: StepEvaluation, workspace: Workspace, planner: Planner) throws(RunnerError) -> StepRecord {
        let fileManager = FileManager.default
        let stepDirectory = stagingRoot.appendingPathComponent(step.stageID).appendingPathComponent(step.id)
        try? fileManager.removeItem(at: stepDirectory)
        let outputs = step.outputs.indices.map { stagedLocation(step, $0) }
        do {
            for (index, url) in outputs.enumerated() {
                if isFolderPath(step.outputs[index]) {
                    try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
                } else {
                    try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                }
            }
        } catch { throw .io(path: stepDirectory.path, message: "cannot prepare the staging folder: \(error.localizedDescription)") }
        var logs: [(String, [UInt8])] = []
        let logPrefix = ".trail/logs/\(step.stageID)/\(step.id)"
        let outcome: StepOutcome
        switch step.action {
        case .builtin(let kind):
            guard let builtin = registry.steps[kind] else { throw .usage("unknown built-in step \(kind)") }
            let progress = self.progress
            let name = step.name
            let context = StepContext(step: step, root: folder.root, inputs: evaluation.inputs, outputs: outputs, progress: { progress("\(name): \($0)") })
            outcome = try builtin.run(context)
            logs.append(("\(logPrefix).log", Array((outcome.log.isEmpty ? outcome.summary + "\n" : outcome.log).utf8)))
        case .command(let argv):
            let before = snapshotOfOutputFolders()
            let inputPaths = evaluation.inputs.map { $0.map { relativeOrAbsolute($0.location) } }
            let outputPaths = outputs.enumerated().map { index, url in relativeOrAbsolute(url) + (isFolderPath(step.outputs[index]) ? "/" : "") }
            let expanded = try CommandStep.expand(argv, inputs: inputPaths, outputs: outputPaths, step: step)
            var environment: [String: String] = [:]
            for (index, paths) in inputPaths.enumerated() {
                let list = paths.joined(separator: "\n")
                if list.utf8.count < 64 * 1024 {
                    environment["REVIEW_INPUT_\(index)"] = list
                } else {
                    let listFile = stepDirectory.appendingPathComponent("inputs\(index).txt")
                    try AtomicFile.write(list + "\n", to: listFile)
                    environment["REVIEW_INPUT_\(index)_FILE"] = relativeOrAbsolute(listFile)
                }
            }
            for (index, path) in outputPaths.enumerated() { environment["REVIEW_OUTPUT_\(index)"] = path }
            let stdout = stepDirectory.appendingPathComponent("stdout.log")
            let stderr = stepDirectory.appendingPathComponent("stderr.log")
            let summaryFile = stepDirectory.appendingPathComponent("summary.txt")
            environment["REVIEW_SUMMARY"] = relativeOrAbsolute(summaryFile)
            try CommandStep(step: step, root: folder.root, argv: expanded).run(stdout: stdout, stderr: stderr, extraEnvironment: environment)
            let undeclared = changedFiles(since: before)
            if !undeclared.isEmpty {
                throw .stepFailed(step: step.name, message: "it wrote files it does not declare: \(undeclared.joined(separator: ", ")) (declare them as outputs; commands must write to {outputs[N]})")
            }
            logs.append(("\(logPrefix).stdout", Array(fileManager.contents(atPath: stdout.path) ?? Data())))
            logs.append(("\(logPrefix).stderr", Array(fileManager.contents(atPath: stderr.path) ?? Data())))
            outcome = Self.commandOutcome(step: step, outputs: outputs, summaryFile: summaryFile)
        }
        for (index, url) in outputs.enumerated() {
            var isDirectory: ObjCBool = false
            let exists = fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory)
            if !exists || isDirectory.boolValue != isFolderPath(step.outputs[index]) {
                throw .stepFailed(step: step.name, message: "it did not produce its declared output \(step.outputs[index])")
            }
            workspace.overlay[step.outputs[index]] = url
        }
        for (path, bytes) in logs { workspace.logs[path] = bytes }
        let outputDigests = try workspace.outputDigests(step)
        var parameters: JSONValue?
        var uses: String?
        var run: [String]?
        switch step.action {
        case .builtin(let kind):
            uses = kind
            parameters = .object(step.parameters)
        case .command(let argv): run = argv
        }
        return StepRecord(
            name: step.name, stage: step.stageID, kind: uses == nil ? "command" : "builtin", uses: uses, run: run,
            kindVersion: planner.kindVersion(step), parameters: parameters, definitionSHA256: evaluation.definitionSHA256,
            key: evaluation.key, inputs: evaluation.inputDigests, outputs: outputDigests, logs: logs.map(\.0),
            summary: outcome.summary, counts: outcome.counts, snapshot: nil)
    }

    /// What a command step reports: the first line it wrote to `$REVIEW_SUMMARY` (and `name=integer` counts on the
    /// lines after it), or else the number of lines of each output file.
    static func commandOutcome(step: Step, outputs: [URL], summaryFile: URL) -> StepOutcome {
        if let data = FileManager.default.contents(atPath: summaryFile.path) {
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let first = lines.first, !first.isEmpty {
                var counts: [String: Int] = [:]
                for line in lines.dropFirst() {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, let value = Int(parts[1]) { counts[String(parts[0])] = value }
                }
                return StepOutcome(summary: String(first.prefix(200)), counts: counts)
            }
        }
        var parts: [String] = []
        var counts: [String: Int] = [:]
        for (index, url) in outputs.enumerated() {
            let name = url.lastPathComponent
            if isFolderPath(step.outputs[index]) {
                let files = Workspace.filesBelow(url).count
                parts.append("\(name)/ \(files) file\(files == 1 ? "" : "s")")
                counts[name + "_files"] = files
            } else {
                let lines = (FileManager.default.contents(atPath: url.path) ?? Data()).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                parts.append("\(name) \(lines) line\(lines == 1 ? "" : "s")")
                counts[name + "_lines"] = lines
            }
        }
        return StepOutcome(summary: "\(step.id) wrote " + parts.joined(separator: ", "), counts: counts)
    }

    private func relativeOrAbsolute(_ url: URL) -> String { relativeOrAbsolute(url.path) }

    private func relativeOrAbsolute(_ path: String) -> String {
        let root = folder.root.path + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }

    private func snapshotOfOutputFolders() -> [String: FileStamp] {
        folder.forgetListings(under: folder.outputFolders)
        var out: [String: FileStamp] = [:]
        for folderPath in folder.outputFolders {
            for file in folder.listFiles(under: folderPath) {
                out[file] = FileStamp.of(path: folder.absolute(file))
            }
        }
        return out
    }

    private func changedFiles(since before: [String: FileStamp]) -> [String] {
        snapshotOfOutputFolders().filter { before[$0.key] != $0.value }.keys.sorted()
    }
}
