import ContentHash
import Foundation
import WorkflowModel

#if canImport(Glibc)
    import Glibc
#endif

extension Runner {
    /// Puts a stage's staged outputs in place and commits its snapshot, as one unit: a journal lets the next
    /// run finish or roll back a stage interrupted between the first move and the trail update.
    func commitStage(
        _ stage: Stage, ran: [(Step, StepRecord, StepEvaluation)], previous: SnapshotManifest?, tip: String?,
        store: any SnapshotStore, workspace: Workspace
    ) throws(RunnerError) -> (commit: String, manifest: SnapshotManifest) {
        let fileManager = FileManager.default
        let state = folder.stateDirectory
        var journal = Journal(stage: stage.id, parent: tip, commit: nil, moves: [])
        for (step, _, _) in ran {
            for (index, output) in step.outputs.enumerated() {
                guard let staged = workspace.overlay[output] else { continue }
                let relative = isFolderPath(output) ? String(output.dropLast()) : output
                let exists = fileManager.fileExists(atPath: folder.root.appendingPathComponent(relative).path)
                let backup = backupRoot.appendingPathComponent(step.stageID).appendingPathComponent(step.id).appendingPathComponent("out\(index)").path
                journal.moves.append(Journal.Move(staged: staged.path, target: relative, backup: exists ? backup : nil))
            }
        }
        try journal.save(in: state)
        func rollBack(_ error: RunnerError) -> RunnerError {
            _ = Journal.recover(root: folder.root, state: state, currentTip: tip)
            return error
        }
        for move in journal.moves {
            let target = folder.root.appendingPathComponent(move.target)
            do {
                try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                if let backup = move.backup {
                    try fileManager.createDirectory(atPath: (backup as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try fileManager.moveItem(atPath: target.path, toPath: backup)
                }
                try fileManager.moveItem(atPath: move.staged, toPath: target.path)
            } catch {
                throw rollBack(.io(path: move.target, message: "cannot move the new output into place: \(error.localizedDescription)"))
            }
        }
        faultInjection("after-moves")
        folder.forgetListings(under: journal.moves.map { move in
            String(move.target[...(move.target.lastIndex(of: "/") ?? move.target.startIndex)])
        })
        workspace.overlay = [:]
        for (_, record, _) in ran {
            for output in record.outputs {
                if let stamp = FileStamp.of(path: folder.absolute(output.path)) {
                    workspace.cache.record(output.path, stamp: stamp, sha256: output.sha256)
                }
            }
        }

        let manifest: SnapshotManifest
        let files: [FileDigest]
        let message: String
        do {
            var paths = Set([ReviewFolder.workflowFile])
            for step in folder.workflow.steps {
                for input in step.inputs { paths.formUnion(folder.expand(input)) }
                for output in step.outputs { paths.formUnion(folder.expand(output)) }
            }
            workspace.trustRetained = true
            defer { workspace.trustRetained = false }
            files = try workspace.digests(paths.sorted().map { ResolvedFile(path: $0, location: folder.absolute($0)) })
            let ranNames = Set(ran.map(\.0.name))
            var records: [StepRecord] = []
            for step in folder.workflow.steps {
                if let new = ran.first(where: { $0.0.name == step.name }) {
                    records.append(new.1)
                } else if var old = previous?.step(step.name) {
                    if old.snapshot == nil { old.snapshot = tip }
                    records.append(old)
                }
            }
            let workflowDigest = files.first { $0.path == ReviewFolder.workflowFile } ?? FileDigest(path: ReviewFolder.workflowFile, sha256: "", size: 0)
            let summary = "\(stage.id): " + ran.map(\.1.summary).joined(separator: "; ")
            manifest = SnapshotManifest(
                runnerVersion: runnerVersion, stage: stage.id, summary: summary, workflow: workflowDigest,
                ran: ran.map(\.0.name), steps: records.filter { ranNames.contains($0.name) || folder.workflow.step(named: $0.name) != nil },
                files: files)
            message = Self.commitMessage(manifest: manifest, ran: ran.map(\.1))
        } catch {
            throw rollBack(error)
        }

        let manifestBytes = manifest.encoded()
        var snapshotFiles = files.map { digest in
            let known = workspace.cache.entries[digest.path]?.blob
            if known == nil, let content = workspace.retainedContent(digest.path) {
                return SnapshotFile(path: digest.path, source: .bytes(content))
            }
            return SnapshotFile(path: digest.path, source: .file(path: folder.absolute(digest.path), knownBlob: known))
        }
        snapshotFiles.append(SnapshotFile(path: SnapshotManifest.path, source: .bytes(manifestBytes)))
        for (path, bytes) in workspace.logs.sorted(by: { $0.key < $1.key }) { snapshotFiles.append(SnapshotFile(path: path, source: .bytes(bytes))) }
        workspace.logs = [:]

        let written: (commit: String, blobs: [String: String])
        do { written = try store.writeSnapshot(files: snapshotFiles, message: message, parent: tip) } catch { throw rollBack(error) }
        for digest in files {
            if let blob = written.blobs[digest.path], let entry = workspace.cache.entries[digest.path], entry.sha256 == digest.sha256 {
                workspace.cache.record(digest.path, stamp: entry.stamp, sha256: digest.sha256, blob: blob)
            }
        }
        journal.commit = written.commit
        do { try journal.save(in: state) } catch { throw rollBack(error) }
        faultInjection("before-ref-update")
        do { try store.moveTip(to: written.commit, expected: tip) } catch { throw rollBack(error) }
        faultInjection("after-ref-update")
        _ = Journal.recover(root: folder.root, state: state, currentTip: written.commit)
        return (written.commit, manifest)
    }

    /// The commit message: a summary line, a blank line, and the trailer block.
    static func commitMessage(manifest: SnapshotManifest, ran: [StepRecord]) -> String {
        var lines = [manifest.summary, ""]
        lines.append("Review-Stage: \(manifest.stage)")
        for record in ran { lines.append("Step-Id: \(record.name)") }
        lines.append("Runner-Version: \(runnerVersion)")
        lines.append("Workflow-SHA256: \(manifest.workflow.sha256) \(manifest.workflow.path)")
        let produced = Set(ran.flatMap { $0.outputs.map(\.path) })
        var seen: Set<String> = []
        for record in ran {
            for input in record.inputs where !produced.contains(input.path) && seen.insert(input.path).inserted {
                lines.append("Input-SHA256: \(input.sha256) \(input.path)")
            }
        }
        for record in ran {
            for output in record.outputs where seen.insert(output.path).inserted {
                lines.append("Output-SHA256: \(output.sha256) \(output.path)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Stops the process at a named point when `REVIEW_FAULT` names it: how the tests check that a crash at
    /// that point loses nothing.
    func faultInjection(_ point: String) {
        if ProcessInfo.processInfo.environment["REVIEW_FAULT"] == point { _exit(70) }
    }
}
