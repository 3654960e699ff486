import ContentHash
import Foundation
import GitStore
import RunnerCore
import WorkflowModel

/// One step run as the trail records it: the snapshot it ran in and its manifest record.
public struct StepRun: Sendable {
    public var commit: SnapshotCommit
    public var record: StepRecord
}

/// The trail as it stands: the last snapshot of the trail branch, its files, and every step run before it.
public struct TrailSnapshot {
    public let commit: SnapshotCommit
    public let manifest: SnapshotManifest
    /// Path → blob id of every file in the snapshot (without `.trail/`).
    public let files: [String: String]
    /// Every step run on the branch, oldest first.
    public let runs: [StepRun]
    let store: GitSnapshotStore
    let branch: String

    /// Reads the tip of the review's trail branch.
    public static func read(_ folder: ReviewFolder) throws(ArchiveError) -> TrailSnapshot {
        do {
            let store = try GitSnapshotStore(path: folder.trailPath, branch: folder.workflow.trail.branch, create: false)
            let history = try store.history()
            guard let tip = history.first else { throw ArchiveError.trail("the trail has no snapshot yet; run 'review run' first") }
            var runs: [StepRun] = []
            var tipManifest: SnapshotManifest?
            for commit in history.reversed() {
                guard let bytes = try store.read(SnapshotManifest.path, at: commit.id) else {
                    throw ArchiveError.trail("snapshot \(commit.id.prefix(7)) has no \(SnapshotManifest.path)")
                }
                let manifest: SnapshotManifest
                do { manifest = try SnapshotManifest.decode(bytes) } catch {
                    throw ArchiveError.trail("snapshot \(commit.id.prefix(7)): \(SnapshotManifest.path) cannot be read: \(error)")
                }
                for name in manifest.ran {
                    if let record = manifest.step(name) { runs.append(StepRun(commit: commit, record: record)) }
                }
                tipManifest = manifest
            }
            guard let tipManifest else { throw ArchiveError.trail("the trail has no snapshot yet") }
            let files = try store.files(at: tip.id).filter { !$0.key.hasPrefix(".trail/") }
            return TrailSnapshot(commit: tip, manifest: tipManifest, files: files, runs: runs, store: store, branch: folder.workflow.trail.branch)
        } catch let error as ArchiveError {
            throw error
        } catch let error as RunnerError {
            throw .runner(error)
        } catch {
            throw .trail("\(error)")
        }
    }

    /// The committed bytes of a file of the snapshot.
    public func bytes(_ path: String) throws(ArchiveError) -> [UInt8]? {
        guard let blob = files[path] else { return nil }
        do { return try store.blob(blob) } catch { throw .runner(error) }
    }

    /// The paths of the snapshot under a folder, sorted.
    public func paths(under prefix: String) -> [String] { files.keys.filter { $0.hasPrefix(prefix) }.sorted() }

    /// The SHA-256 and size the manifest records for a path.
    public func digest(_ path: String) -> FileDigest? { manifest.files.first { $0.path == path } }

    /// Starts packing the bundle of HEAD and the trail branch at the packed commit (v2 header + libgit2 pack) on a
    /// thread of its own, over its own handle on the trail repository; `value()` waits for the bytes.
    func bundle() throws(ArchiveError) -> Background<Result<[UInt8], ArchiveError>> {
        guard let tip = ObjectID(hex: commit.id) else { throw .trail("invalid commit id \(commit.id)") }
        let path = store.gitRepository.path
        let branch = branch
        return Background {
            do throws(GitError) {
                let repository = try GitRepository.open(at: path)
                return .success(try repository.bundle(refs: [("HEAD", tip), ("refs/heads/\(branch)", tip)]))
            } catch {
                return .failure(.trail(error.description))
            }
        }
    }

    /// Tags the packed commit `archive/<n>`: the tag already on it, or the next free number. `created` says whether
    /// the tag is new (and may be removed again with `removeTag` when the archive fails).
    public func tagArchive() throws(ArchiveError) -> (name: String, created: Bool) {
        let repository = store.gitRepository
        guard let tip = ObjectID(hex: commit.id) else { throw .trail("invalid commit id \(commit.id)") }
        do {
            var highest = 0
            for name in try repository.referenceNames(prefix: "refs/tags/archive/") {
                let number = Int(name.dropFirst("refs/tags/archive/".count)) ?? 0
                if try repository.referenceTarget(name) == tip { return (String(name.dropFirst("refs/tags/".count)), false) }
                highest = max(highest, number)
            }
            let name = "archive/\(highest + 1)"
            try repository.tag(name, target: tip)
            return (name, true)
        } catch { throw .trail(error.description) }
    }

    /// Removes the tag `refs/tags/<name>`.
    public func removeTag(_ name: String) {
        try? store.gitRepository.deleteReference("refs/tags/" + name)
    }
}
