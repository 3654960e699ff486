import Foundation
import GitStore
import WorkflowModel

/// A file to put into a snapshot: from disk (with its blob id when a cache knows it) or from memory.
public struct SnapshotFile: Sendable {
    public enum Source: Sendable {
        case file(path: String, knownBlob: String?)
        case bytes([UInt8])
    }

    public var path: String
    public var source: Source

    public init(path: String, source: Source) {
        self.path = path
        self.source = source
    }
}

/// A snapshot commit as the engine sees it.
public struct SnapshotCommit: Sendable, Equatable {
    public var id: String
    public var parents: [String]
    public var message: String
    public var time: Int64
    public var offsetMinutes: Int32

    public init(id: String, parents: [String], message: String, time: Int64, offsetMinutes: Int32) {
        self.id = id
        self.parents = parents
        self.message = message
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    public var summary: String { String(message.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }
}

/// Where snapshots are kept: the git trail in real runs, memory in engine tests.
public protocol SnapshotStore: AnyObject {
    /// The current tip of the trail branch, or nil before the first snapshot.
    func tip() throws(RunnerError) -> String?
    /// Writes the files and a commit on `parent`; moves nothing. Returns the commit id and the blob id of each path.
    func writeSnapshot(files: [SnapshotFile], message: String, parent: String?) throws(RunnerError) -> (commit: String, blobs: [String: String])
    /// Moves the branch from `expected` to `commit` (compare-and-swap).
    func moveTip(to commit: String, expected: String?) throws(RunnerError)
    /// The first-parent history from the tip, newest first.
    func history() throws(RunnerError) -> [SnapshotCommit]
    /// Reads a commit.
    func commit(_ id: String) throws(RunnerError) -> SnapshotCommit
    /// path → blob id of every file in a commit.
    func files(at commit: String) throws(RunnerError) -> [String: String]
    /// The bytes of a blob.
    func blob(_ id: String) throws(RunnerError) -> [UInt8]
    /// A file's bytes at a commit, or nil.
    func read(_ path: String, at commit: String) throws(RunnerError) -> [UInt8]?
    /// Resolves a revision expression to a commit id, or nil.
    func resolve(_ revision: String) throws(RunnerError) -> String?
    /// The trailers of a commit message, in order.
    func trailers(of message: String) -> [(key: String, value: String)]
}

/// The trail: a bare git repository written through libgit2.
public final class GitSnapshotStore: SnapshotStore {
    let repository: GitRepository
    let branchRef: String
    let author: Signature
    /// Signs each snapshot commit when `REVIEW_SIGNING_KEY` names an SSH key.
    let signer: SSHCommitSigner?

    /// Opens (or creates, with HEAD on `branch`) the bare repository at `path`; signs commits when
    /// `REVIEW_SIGNING_KEY` names an SSH key.
    public convenience init(path: String, branch: String, create: Bool) throws(RunnerError) {
        try self.init(path: path, branch: branch, create: create, signer: SSHCommitSigner.fromEnvironment())
    }

    /// Opens (or creates) the trail; `signer` signs every snapshot commit (nil: unsigned).
    public init(path: String, branch: String, create: Bool, signer: SSHCommitSigner?) throws(RunnerError) {
        do {
            if create {
                repository = try GitRepository.openOrCreateBare(at: path, initialBranch: branch)
            } else {
                repository = try GitRepository.open(at: path)
            }
        } catch {
            throw .trail(create ? "cannot create the trail repository at \(path): \(error)" : "no trail repository at \(path) (run `review run` first)")
        }
        branchRef = "refs/heads/" + branch
        let environment = ProcessInfo.processInfo.environment
        let identity = repository.defaultIdentity()
        author = Signature(
            name: environment["REVIEW_AUTHOR_NAME"] ?? identity?.name ?? "ReviewTrail runner",
            email: environment["REVIEW_AUTHOR_EMAIL"] ?? identity?.email ?? "review@localhost")
        self.signer = signer
    }

    /// The underlying repository (for archive and audit code that needs more than snapshots).
    public var gitRepository: GitRepository { repository }

    public func tip() throws(RunnerError) -> String? {
        do { return try repository.referenceTarget(branchRef)?.description } catch { throw .git(error) }
    }

    public func writeSnapshot(files: [SnapshotFile], message: String, parent: String?) throws(RunnerError) -> (commit: String, blobs: [String: String]) {
        do {
            var entries: [TreeFile] = []
            var blobs: [String: String] = [:]
            entries.reserveCapacity(files.count)
            for file in files {
                let blob: ObjectID
                switch file.source {
                case .file(let path, let known):
                    blob = try repository.writeBlob(fileAt: path, known: known.flatMap(ObjectID.init(hex:)))
                case .bytes(let bytes):
                    blob = try repository.writeBlob(bytes)
                }
                blobs[file.path] = blob.description
                entries.append(TreeFile(path: file.path, blob: blob))
            }
            let tree = try repository.writeTree(entries)
            let parents = try parent.map { hex throws(RunnerError) -> ObjectID in
                guard let id = ObjectID(hex: hex) else { throw .trail("invalid parent id \(hex)") }
                return id
            }
            let commit: ObjectID
            if let signer {
                commit = try repository.createSignedCommit(tree: tree, parents: parents.map { [$0] } ?? [], message: message, author: author) { bytes in
                    try signer.sign(bytes)
                }
            } else {
                commit = try repository.createCommit(tree: tree, parents: parents.map { [$0] } ?? [], message: message, author: author)
            }
            return (commit.description, blobs)
        } catch let error as GitError {
            throw .git(error)
        } catch let error as RunnerError {
            throw error
        } catch {
            throw .trail("\(error)")
        }
    }

    public func moveTip(to commit: String, expected: String?) throws(RunnerError) {
        guard let target = ObjectID(hex: commit) else { throw .trail("invalid commit id \(commit)") }
        do {
            try repository.updateReference(branchRef, to: target, expected: expected.flatMap(ObjectID.init(hex:)), logMessage: "review: snapshot")
        } catch {
            if error.isConcurrentModification {
                throw .trail("the trail branch moved while this run was working (another runner?); nothing was changed: run again")
            }
            throw .git(error)
        }
    }

    public func history() throws(RunnerError) -> [SnapshotCommit] {
        guard let tip = try tip(), let id = ObjectID(hex: tip) else { return [] }
        do { return try repository.firstParentHistory(from: id).map(Self.snapshot) } catch { throw .git(error) }
    }

    public func commit(_ id: String) throws(RunnerError) -> SnapshotCommit {
        guard let oid = ObjectID(hex: id) else { throw .trail("invalid commit id \(id)") }
        do { return Self.snapshot(try repository.commit(oid)) } catch { throw .git(error) }
    }

    static func snapshot(_ info: CommitInfo) -> SnapshotCommit {
        SnapshotCommit(
            id: info.id.description, parents: info.parents.map(\.description), message: info.message, time: info.time,
            offsetMinutes: info.offsetMinutes)
    }

    public func files(at commit: String) throws(RunnerError) -> [String: String] {
        guard let oid = ObjectID(hex: commit) else { throw .trail("invalid commit id \(commit)") }
        do {
            let info = try repository.commit(oid)
            return Dictionary(try repository.files(inTree: info.tree).map { ($0.path, $0.blob.description) }, uniquingKeysWith: { a, _ in a })
        } catch { throw .git(error) }
    }

    public func blob(_ id: String) throws(RunnerError) -> [UInt8] {
        guard let oid = ObjectID(hex: id) else { throw .trail("invalid blob id \(id)") }
        do { return try repository.blobBytes(oid) } catch { throw .git(error) }
    }

    public func read(_ path: String, at commit: String) throws(RunnerError) -> [UInt8]? {
        guard let oid = ObjectID(hex: commit) else { throw .trail("invalid commit id \(commit)") }
        do {
            guard let blob = try repository.blob(at: path, inCommit: oid) else { return nil }
            return try repository.blobBytes(blob)
        } catch { throw .git(error) }
    }

    public func resolve(_ revision: String) throws(RunnerError) -> String? {
        do { return try repository.resolveCommit(revision)?.description } catch { throw .git(error) }
    }

    public func trailers(of message: String) -> [(key: String, value: String)] { GitRepository.trailers(of: message) }
}
