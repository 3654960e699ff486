import Bibliography
import Foundation
import GitStore
import RunnerCore
import WorkflowModel

/// Read-only access to a review's trail at record level: files of the file contract at any snapshot.
public final class TrailView {
    let repository: GitRepository
    let branch: String
    private var treeCache: [ObjectID: [TreeFile]] = [:]
    private var historyCache: [ObjectID: [CommitInfo]] = [:]

    /// Opens the trail repository at `path` (never written).
    public init(trailPath: String, branch: String) throws(AuditError) {
        do { repository = try GitRepository.open(at: trailPath) } catch { throw .source("no trail repository at \(trailPath) (run `review run` first)") }
        self.branch = branch
    }

    /// Resolves REV: `@STAGE` (the latest snapshot of that stage at the tip), or anything `git_revparse_single` accepts.
    public func resolve(_ revision: String?) throws(AuditError) -> ObjectID {
        do {
            guard let tip = try repository.referenceTarget("refs/heads/" + branch) else { throw AuditError.usage("the trail has no snapshot yet") }
            guard let revision else { return tip }
            if revision.hasPrefix("@") {
                let stage = String(revision.dropFirst())
                for commit in try history(from: tip) where trailerValue(commit, "Review-Stage") == stage { return commit.id }
                throw AuditError.usage("the trail has no snapshot of stage \(stage)")
            }
            guard let id = try repository.resolveCommit(revision) else {
                throw AuditError.usage("unknown revision \"\(revision)\" (use a commit id, trail~N, or @STAGE)")
            }
            return id
        } catch let error as AuditError {
            throw error
        } catch let error as GitError {
            throw .git(error)
        } catch { throw .usage("\(error)") }
    }

    /// The first-parent chain from `commit`, newest first.
    public func history(from commit: ObjectID) throws(AuditError) -> [CommitInfo] {
        if let cached = historyCache[commit] { return cached }
        do {
            let chain = try repository.firstParentHistory(from: commit)
            historyCache[commit] = chain
            return chain
        } catch { throw .git(error) }
    }

    /// The stage a snapshot commit records.
    public func trailerValue(_ commit: CommitInfo, _ key: String) -> String? {
        GitRepository.trailers(of: commit.message).first { $0.key == key }?.value
    }

    /// Every file of a snapshot's tree.
    public func files(at commit: ObjectID) throws(AuditError) -> [TreeFile] {
        if let cached = treeCache[commit] { return cached }
        do {
            let info = try repository.commit(commit)
            let files = try repository.files(inTree: info.tree)
            treeCache[commit] = files
            return files
        } catch { throw .git(error) }
    }

    /// The paths of a snapshot (without `.trail/`) that `predicate` accepts, sorted.
    public func paths(at commit: ObjectID, matching predicate: (String) -> Bool) throws(AuditError) -> [String] {
        try files(at: commit).map(\.path).filter { !$0.hasPrefix(".trail/") && predicate($0) }
    }

    /// The path of a contract file (`2-search/out/records.jsonl`) in a snapshot: the file itself or under a
    /// folder such as `stages/`.
    public func contractPath(_ name: String, at commit: ObjectID) throws(AuditError) -> String? {
        try paths(at: commit) { $0 == name || $0.hasSuffix("/" + name) }.first
    }

    /// A file's bytes at a snapshot, or nil when the snapshot has no such file.
    public func read(_ path: String, at commit: ObjectID) throws(AuditError) -> [UInt8]? {
        guard let file = try files(at: commit).first(where: { $0.path == path }) else { return nil }
        do { return try repository.blobBytes(file.blob) } catch { throw .git(error) }
    }

    /// The blob of a path at a snapshot.
    public func blob(_ path: String, at commit: ObjectID) throws(AuditError) -> ObjectID? {
        try files(at: commit).first { $0.path == path }?.blob
    }

    /// The oldest snapshot, at or before `commit` on its chain, from which `path` holds the content it holds at `commit`.
    public func introduced(_ path: String, at commit: ObjectID) throws(AuditError) -> ObjectID {
        let blob = try blob(path, at: commit)
        var found = commit
        for info in try history(from: commit).dropFirst() {
            guard try self.blob(path, at: info.id) == blob else { break }
            found = info.id
        }
        return found
    }

    /// The stage of a snapshot (its `Review-Stage` trailer).
    public func stage(of commit: ObjectID) throws(AuditError) -> String {
        do { return trailerValue(try repository.commit(commit), "Review-Stage") ?? "" } catch { throw .git(error) }
    }

    /// A CSV file at a snapshot, or nil.
    public func table(_ path: String, at commit: ObjectID) throws(AuditError) -> CSVTable? {
        guard let bytes = try read(path, at: commit) else { return nil }
        do { return try CSVTable(parsing: bytes, rectangular: false) } catch { throw .input(path: path, line: error.line, message: error.message) }
    }

    /// A JSON file at a snapshot, or nil.
    public func json(_ path: String, at commit: ObjectID) throws(AuditError) -> JSONValue? {
        guard let bytes = try read(path, at: commit) else { return nil }
        do { return try JSONParser.parse(bytes).value } catch { throw .input(path: path, line: nil, message: "\(error)") }
    }

    /// The records of a JSON Lines file at a snapshot, each with its line number, by `id`.
    public func records(_ path: String, at commit: ObjectID) throws(AuditError) -> [(line: Int, record: JSONValue)] {
        guard let bytes = try read(path, at: commit) else { return [] }
        var out: [(Int, JSONValue)] = []
        var line = 0
        for slice in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            line += 1
            if slice.isEmpty { continue }
            do { out.append((line, try JSONParser.parse(Array(slice)).value)) } catch {
                throw .input(path: path, line: line, message: "not a JSON object: \(error)")
            }
        }
        return out.map { (line: $0.0, record: $0.1) }
    }
}
