import ContentHash
import Foundation
import GitStore
import RunnerCore
import WorkflowModel

/// One recorded output compared with the file the fresh run wrote.
public struct OutputComparison: Sendable, Equatable {
    public var path: String
    public var step: String
    /// The SHA-256 the trail records; nil for a file the fresh run wrote that the trail does not record.
    public var recorded: String?
    /// The SHA-256 of the reproduced file; nil when the fresh run did not write it.
    public var reproduced: String?

    public var identical: Bool { recorded != nil && recorded == reproduced }
}

/// What `review reproduce` found.
public struct ReproduceReport: Sendable, Equatable {
    public var source: TrailSource
    /// The snapshot whose hand-made inputs were checked out and whose outputs were compared.
    public var snapshot: String
    /// The temporary folder that holds the clone and the fresh run.
    public var folder: String
    public var kept: Bool
    /// The steps the fresh run ran, in order.
    public var stepsRun: [String]
    public var outputs: [OutputComparison]
    public var commandSteps: [CommandStepListing]

    /// True when every recorded output was reproduced bit for bit.
    public var identical: Bool { !outputs.isEmpty && outputs.allSatisfy(\.identical) }
}

/// Reproduces a review from its trail: clone into a temporary folder, check out the hand-made inputs of
/// the last snapshot, run every step from scratch, and compare each output's SHA-256 with the recorded one.
public struct Reproducer {
    public var registry: StepRegistry
    public var allowCommands: Bool
    public var keep: Bool
    public var progress: @Sendable (String) -> Void

    public init(registry: StepRegistry, allowCommands: Bool = false, keep: Bool = false, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.registry = registry
        self.allowCommands = allowCommands
        self.keep = keep
        self.progress = progress
    }

    /// Runs the reproduction; it writes only inside its temporary folder, removed afterwards unless `keep`.
    /// - Throws: `AuditError.commandStepsRefused` (nothing run) when the trail's workflow has command steps
    ///   and `allowCommands` is false; `AuditError.runner` when a step fails.
    public func reproduce(_ source: TrailSource) throws(AuditError) -> ReproduceReport {
        let temporary = try TemporaryFolder.make("reproduce")
        var finished = false
        defer { if !finished && !keep { temporary.remove() } }
        let (repository, tip) = try source.open(into: temporary.url.appendingPathComponent("trail.git").path)
        let manifest = try repository.manifest(at: tip)
        let root = temporary.url.appendingPathComponent("review", isDirectory: true)
        progress("reproducing snapshot \(tip.short) (\(manifest.summary))")

        let workflowBytes = try readBlob(repository, ReviewFolder.workflowFile, at: tip)
        let workflow: Workflow
        do { workflow = try WorkflowDecoder(catalog: registry.catalog, file: ReviewFolder.workflowFile).decode(workflowBytes) } catch {
            throw .runner(.workflow(error))
        }
        let commands = workflow.steps.compactMap { step -> CommandStepListing? in
            if case .command(let argv) = step.action { return CommandStepListing(step: step.name, argv: argv) }
            return nil
        }
        if !commands.isEmpty && !allowCommands { throw .commandStepsRefused(commands) }

        let outputs = workflow.steps.flatMap(\.outputs)
        func isOutput(_ path: String) -> Bool { outputs.contains { $0 == path || (isFolderPath($0) && path.hasPrefix($0)) } }
        let handMade = manifest.files.filter { !isOutput($0.path) }
        for file in handMade {
            let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.path.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw .source("snapshot \(tip.short): the manifest names \"\(file.path)\", a path that would leave the review folder; refusing to check it out")
            }
            let bytes = try readBlob(repository, file.path, at: tip)
            guard FileHasher.sha256(bytes: bytes) == file.sha256 else {
                throw .source("snapshot \(tip.short): \(file.path) does not hash to the SHA-256 its manifest records; run review verify on the trail")
            }
            let target = root.appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: target)
            } catch { throw .io(path: target.path, message: "cannot write: \(error.localizedDescription)") }
        }
        progress("checked out \(handMade.count) hand-made inputs into \(root.path)")

        let report: RunReport
        do {
            let folder = try ReviewFolder.load(at: root, catalog: registry.catalog)
            report = try Runner(folder: folder, registry: registry, progress: progress).run(RunOptions())
        } catch { throw .runner(error) }

        var comparisons: [OutputComparison] = []
        var recordedPaths: Set<String> = []
        for step in manifest.steps {
            for output in step.outputs {
                recordedPaths.insert(output.path)
                let path = root.appendingPathComponent(output.path).path
                var reproduced: String?
                if FileManager.default.fileExists(atPath: path) { reproduced = try? FileHasher.sha256(path: path) }
                comparisons.append(OutputComparison(path: output.path, step: step.name, recorded: output.sha256, reproduced: reproduced))
            }
        }
        for step in workflow.steps {
            for output in step.outputs where isFolderPath(output) {
                for file in Self.files(under: root.appendingPathComponent(output), prefix: output) where !recordedPaths.contains(file) {
                    let reproduced = try? FileHasher.sha256(path: root.appendingPathComponent(file).path)
                    comparisons.append(OutputComparison(path: file, step: step.name, recorded: nil, reproduced: reproduced))
                }
            }
        }
        finished = true
        if !keep { temporary.remove() }
        return ReproduceReport(
            source: source, snapshot: tip.description, folder: temporary.url.path, kept: keep,
            stepsRun: report.snapshots.flatMap(\.steps), outputs: comparisons, commandSteps: commands)
    }

    private func readBlob(_ repository: GitRepository, _ path: String, at commit: ObjectID) throws(AuditError) -> [UInt8] {
        do {
            guard let blob = try repository.blob(at: path, inCommit: commit) else {
                throw AuditError.source("snapshot \(commit.short) has no \(path)")
            }
            return try repository.blobBytes(blob)
        } catch let error as AuditError {
            throw error
        } catch let error as GitError {
            throw .git(error)
        } catch {
            throw .source("\(error)")
        }
    }

    /// The files under a folder, as review-relative paths, sorted.
    static func files(under url: URL, prefix: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        let base = url.standardizedFileURL.path
        for case let file as URL in enumerator {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let full = file.standardizedFileURL.path
            guard full.hasPrefix(base + "/") else { continue }
            out.append(prefix + full.dropFirst(base.count + 1))
        }
        return out.sorted()
    }
}
