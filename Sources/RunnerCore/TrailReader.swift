import ContentHash
import Foundation
import WorkflowModel

/// One line of `review log`.
public struct LogEntry: Sendable, Equatable {
    public var commit: String
    public var stage: String
    public var steps: [String]
    /// Commit time, ISO 8601 with its offset.
    public var time: String
    public var summary: String
    public var counts: [String: Int]
}

/// One problem `review verify` found.
public struct VerifyProblem: Sendable, Equatable, CustomStringConvertible {
    /// The snapshot (commit id) or "working files".
    public var snapshot: String
    public var path: String
    public var message: String

    public var description: String { "\(snapshot): \(path): \(message)" }
}

/// Reads the trail back at file level: log, show, verify.
public struct TrailReader {
    let folder: ReviewFolder
    let store: any SnapshotStore

    public init(folder: ReviewFolder, store: any SnapshotStore) {
        self.folder = folder
        self.store = store
    }

    /// Opens the review's git trail.
    public static func open(_ folder: ReviewFolder) throws(RunnerError) -> TrailReader {
        TrailReader(folder: folder, store: try GitSnapshotStore(path: folder.trailPath, branch: folder.workflow.trail.branch, create: false))
    }

    static func isoTime(_ seconds: Int64, offsetMinutes: Int32) -> String {
        var time = time_t(seconds + Int64(offsetMinutes) * 60)
        var parts = tm()
        gmtime_r(&time, &parts)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(Int(offsetMinutes))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), sign, offset / 60, offset % 60)
    }

    /// The snapshots, newest first, optionally of one stage.
    public func log(stage: String? = nil) throws(RunnerError) -> [LogEntry] {
        var entries: [LogEntry] = []
        for commit in try store.history() {
            let trailers = store.trailers(of: commit.message)
            let commitStage = trailers.first { $0.key == "Review-Stage" }?.value ?? ""
            if let stage, stage != commitStage { continue }
            let manifest = try? Runner.manifest(at: commit.id, store: store)
            // A count that several steps of the snapshot report (each phase's `screened`, say) is named by its
            // step (`resolve-abstract.screened`), never summed across them.
            let stepCounts = (manifest?.ran ?? []).map { ($0, manifest?.step($0)?.counts ?? [:]) }
            var reporters: [String: Int] = [:]
            for (_, values) in stepCounts { for key in values.keys { reporters[key, default: 0] += 1 } }
            var counts: [String: Int] = [:]
            for (name, values) in stepCounts {
                let step = name.split(separator: "/").last.map(String.init) ?? name
                for (key, value) in values { counts[(reporters[key] ?? 0) > 1 ? step + "." + key : key] = value }
            }
            entries.append(
                LogEntry(
                    commit: commit.id, stage: commitStage, steps: trailers.filter { $0.key == "Step-Id" }.map(\.value),
                    time: Self.isoTime(commit.time, offsetMinutes: commit.offsetMinutes), summary: commit.summary, counts: counts))
        }
        return entries
    }

    /// Resolves REV: `@STAGE` (the latest snapshot of a stage) or anything libgit2's revparse accepts.
    public func resolve(_ revision: String) throws(RunnerError) -> String {
        if revision.hasPrefix("@") {
            let stage = String(revision.dropFirst())
            guard folder.workflow.stages.contains(where: { $0.id == stage }) else {
                throw .usage("unknown stage \"\(stage)\" in \(revision); stages are \(folder.workflow.stages.map(\.id).joined(separator: ", "))")
            }
            guard let entry = try log(stage: stage).first else { throw .usage("the trail has no snapshot of stage \(stage) yet") }
            return entry.commit
        }
        guard let commit = try store.resolve(revision) else {
            throw .usage("unknown revision \"\(revision)\" (use a commit id, trail~N, or @STAGE)")
        }
        return commit
    }

    /// The manifest and commit of a snapshot.
    public func show(_ revision: String) throws(RunnerError) -> (commit: SnapshotCommit, manifest: SnapshotManifest) {
        let id = try resolve(revision)
        return (try store.commit(id), try Runner.manifest(at: id, store: store))
    }

    /// Re-hashes every file of every snapshot from its committed blob and checks it against the manifest
    /// and the trailers, checks the parent chain, and compares the working files with the last snapshot.
    public func verify() throws(RunnerError) -> [VerifyProblem] {
        var problems: [VerifyProblem] = []
        let history = try store.history()
        var blobDigests: [String: String] = [:]
        func sha(ofBlob blob: String) throws(RunnerError) -> String {
            if let known = blobDigests[blob] { return known }
            let digest = FileHasher.sha256(bytes: try store.blob(blob))
            blobDigests[blob] = digest
            return digest
        }
        for (position, commit) in history.enumerated() {
            let label = "snapshot \(commit.id.prefix(7))"
            func problem(_ path: String, _ message: String) { problems.append(VerifyProblem(snapshot: label, path: path, message: message)) }
            let expectedParent = position + 1 < history.count ? history[position + 1].id : nil
            if commit.parents.count > 1 { problem("(commit)", "has \(commit.parents.count) parents; the trail is a single chain") }
            if commit.parents.first != expectedParent { problem("(commit)", "its parent is not the previous snapshot") }
            let tree = try store.files(at: commit.id)
            let manifest: SnapshotManifest
            do { manifest = try Runner.manifest(at: commit.id, store: store) } catch {
                problem(SnapshotManifest.path, error.description)
                continue
            }
            var listed: Set<String> = []
            for file in manifest.files {
                listed.insert(file.path)
                guard let blob = tree[file.path] else {
                    problem(file.path, "listed in the manifest but not in the snapshot")
                    continue
                }
                let actual = try sha(ofBlob: blob)
                if actual != file.sha256 { problem(file.path, "committed content hashes to \(actual), the manifest says \(file.sha256)") }
            }
            for path in tree.keys.sorted() where !path.hasPrefix(".trail/") && !listed.contains(path) {
                problem(path, "in the snapshot but not in the manifest")
            }
            for name in manifest.ran {
                guard let record = manifest.step(name) else {
                    problem(SnapshotManifest.path, "step \(name) ran but has no record")
                    continue
                }
                for file in record.inputs + record.outputs {
                    if let blob = tree[file.path], try sha(ofBlob: blob) != file.sha256 {
                        problem(file.path, "step \(name) recorded \(file.sha256), the snapshot holds other content")
                    }
                }
            }
            let trailers = store.trailers(of: commit.message)
            func values(_ key: String) -> [String] { trailers.filter { $0.key == key }.map(\.value) }
            if values("Review-Stage") != [manifest.stage] { problem("(message)", "Review-Stage trailer \(values("Review-Stage")) does not match the manifest's stage \(manifest.stage)") }
            if values("Step-Id") != manifest.ran { problem("(message)", "Step-Id trailers \(values("Step-Id")) do not match the steps run \(manifest.ran)") }
            if values("Runner-Version").count != 1 { problem("(message)", "no single Runner-Version trailer") }
            for key in ["Workflow-SHA256", "Input-SHA256", "Output-SHA256"] {
                for value in values(key) {
                    let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else {
                        problem("(message)", "malformed \(key) trailer \"\(value)\"")
                        continue
                    }
                    guard let blob = tree[parts[1]] else {
                        problem(parts[1], "named by a \(key) trailer but not in the snapshot")
                        continue
                    }
                    if try sha(ofBlob: blob) != parts[0] { problem(parts[1], "\(key) trailer says \(parts[0]), the committed content differs") }
                }
            }
        }
        if let tip = history.first, let manifest = try? Runner.manifest(at: tip.id, store: store) {
            let label = "working files (against \(tip.id.prefix(7)))"
            for file in manifest.files {
                let path = folder.root.appendingPathComponent(file.path).path
                guard FileManager.default.fileExists(atPath: path) else {
                    problems.append(VerifyProblem(snapshot: label, path: file.path, message: "missing"))
                    continue
                }
                let actual: String
                do { actual = try FileHasher.sha256(path: path) } catch { throw .hash(error) }
                if actual != file.sha256 {
                    problems.append(VerifyProblem(snapshot: label, path: file.path, message: "changed since the last snapshot (sha256 \(actual), recorded \(file.sha256))"))
                }
            }
        }
        return problems
    }
}
