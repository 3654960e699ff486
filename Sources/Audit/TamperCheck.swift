import Foundation
import GitStore
import RunnerCore
import WorkflowModel

/// A snapshot of the auditor's copy that the trail no longer holds, with what differs in its place.
public struct RewrittenSnapshot: Sendable, Equatable {
    /// Position from the first snapshot (1-based).
    public var position: Int
    public var stage: String
    /// The auditor's commit at this position.
    public var old: String
    /// The trail's commit at this position now, if any.
    public var new: String?
    /// Files whose committed content differs between the two snapshots (added or removed files included;
    /// `.trail/manifest.json` when the manifest was rewritten too).
    public var changedFiles: [String]
}

/// What `review verify --against` found.
public struct RewriteReport: Sendable, Equatable {
    /// The auditor's tip.
    public var against: String
    public var tip: String?
    /// True when the trail no longer contains the auditor's tip in its history.
    public var rewritten: Bool
    /// Snapshots the trail added on top of the auditor's copy (when not rewritten).
    public var added: Int
    public var snapshots: [RewrittenSnapshot]
}

/// One snapshot's signature as `review verify` checks it.
public struct SignatureResult: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case unsigned, good, bad
    }

    public var commit: String
    public var state: State
    /// The principal of the allowed-signers file that signed, for a good signature.
    public var principal: String?
    public var message: String
}

/// Detects a rewritten trail and checks SSH signatures of snapshot commits.
public struct TamperCheck {
    let repository: GitRepository
    let branch: String

    /// - Parameter trailPath: the review's trail repository (opened read-only).
    public init(trailPath: String, branch: String) throws(AuditError) {
        do { repository = try GitRepository.open(at: trailPath) } catch { throw .source("no trail repository at \(trailPath) (run `review run` first)") }
        self.branch = branch
    }

    /// Compares the trail with the auditor's copy: a commit id (that the auditor noted) or a bundle or bag.
    /// - Parameter against: a bundle file, a bag folder, or a commit id.
    public func compare(against: String) throws(AuditError) -> RewriteReport {
        let tip: ObjectID?
        do { tip = try repository.referenceTarget("refs/heads/" + branch) } catch { throw .git(error) }
        let current = try chain(repository, from: tip)
        if FileManager.default.fileExists(atPath: against) {
            let source = try TrailSource.classify(against)
            let temporary = try TemporaryFolder.make("verify")
            defer { temporary.remove() }
            let (copy, oldTip) = try source.open(into: temporary.url.appendingPathComponent("old.git").path, branch: branch)
            let old = try chain(copy, from: oldTip)
            return try report(oldTip: oldTip, old: old, oldRepository: copy, current: current, tip: tip)
        }
        guard let oldTip = ObjectID(hex: against) ?? (try? repository.resolveCommit(against)) else {
            throw .usage("\(against): neither a bundle or bag on disk, nor a full commit id (give the 40-digit id you noted, or your copy of the bundle)")
        }
        guard repository.contains(oldTip) else {
            return RewriteReport(against: oldTip.description, tip: tip?.description, rewritten: true, added: 0, snapshots: [])
        }
        let old = try chain(repository, from: oldTip)
        return try report(oldTip: oldTip, old: old, oldRepository: repository, current: current, tip: tip)
    }

    private func chain(_ repository: GitRepository, from tip: ObjectID?) throws(AuditError) -> [CommitInfo] {
        guard let tip else { return [] }
        do { return Array(try repository.firstParentHistory(from: tip).reversed()) } catch { throw .git(error) }
    }

    private func report(oldTip: ObjectID, old: [CommitInfo], oldRepository: GitRepository, current: [CommitInfo], tip: ObjectID?) throws(AuditError) -> RewriteReport {
        let position = current.firstIndex { $0.id == oldTip }
        if let position, old.count == position + 1, zip(old, current).allSatisfy({ $0.id == $1.id }) {
            return RewriteReport(against: oldTip.description, tip: tip?.description, rewritten: false, added: current.count - old.count, snapshots: [])
        }
        var rewritten: [RewrittenSnapshot] = []
        for (index, commit) in old.enumerated() where index >= current.count || current[index].id != commit.id {
            let oldManifest = try? oldRepository.manifest(at: commit.id)
            let newCommit = index < current.count ? current[index] : nil
            let oldFiles = try blobs(oldRepository, commit)
            let newFiles = try newCommit.map { commit throws(AuditError) in try blobs(repository, commit) } ?? [:]
            let changed = Set(oldFiles.keys).union(newFiles.keys).sorted().filter { oldFiles[$0] != newFiles[$0] }
            rewritten.append(
                RewrittenSnapshot(
                    position: index + 1, stage: oldManifest?.stage ?? "?", old: commit.id.description, new: newCommit?.id.description,
                    changedFiles: changed))
        }
        return RewriteReport(against: oldTip.description, tip: tip?.description, rewritten: true, added: 0, snapshots: rewritten)
    }

    /// path → blob of a snapshot's files, with `.trail/manifest.json` and without the step logs.
    private func blobs(_ repository: GitRepository, _ commit: CommitInfo) throws(AuditError) -> [String: ObjectID] {
        do {
            let files = try repository.files(inTree: commit.tree).filter { !$0.path.hasPrefix(".trail/logs/") }
            return Dictionary(files.map { ($0.path, $0.blob) }, uniquingKeysWith: { a, _ in a })
        } catch { throw .git(error) }
    }

    /// Checks the SSH signature of every snapshot commit with `ssh-keygen -Y find-principals` and
    /// `-Y verify -n git` against an allowed-signers file, as `git verify-commit` does with `gpg.format=ssh`.
    /// - Parameter allowedSigners: the allowed-signers file; without it, signatures are only reported present.
    public func signatures(allowedSigners: String?) throws(AuditError) -> [SignatureResult] {
        let tip: ObjectID?
        do { tip = try repository.referenceTarget("refs/heads/" + branch) } catch { throw .git(error) }
        var results: [SignatureResult] = []
        let temporary = try TemporaryFolder.make("signatures")
        defer { temporary.remove() }
        for commit in try chain(repository, from: tip).reversed() {
            let signature: CommitSignature?
            do { signature = try repository.commitSignature(commit.id) } catch { throw .git(error) }
            guard let signature else {
                results.append(SignatureResult(commit: commit.id.description, state: .unsigned, principal: nil, message: "not signed"))
                continue
            }
            guard let allowedSigners else {
                results.append(SignatureResult(commit: commit.id.description, state: .bad, principal: nil, message: "signed, but no allowed-signers file was given to check it"))
                continue
            }
            let sigFile = temporary.url.appendingPathComponent("\(commit.id).sig")
            do { try Data(signature.signature.utf8).write(to: sigFile) } catch { throw .io(path: sigFile.path, message: "\(error)") }
            let found: SSHKeygen.Result
            do { found = try SSHKeygen.run(["-Y", "find-principals", "-f", allowedSigners, "-s", sigFile.path], input: []) } catch { throw .runner(error) }
            guard found.status == 0, let principal = found.stdout.split(separator: "\n").first.map(String.init) else {
                results.append(SignatureResult(commit: commit.id.description, state: .bad, principal: nil, message: "the signing key is not in \(allowedSigners)"))
                continue
            }
            let verified: SSHKeygen.Result
            do {
                verified = try SSHKeygen.run(["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", "git", "-s", sigFile.path], input: signature.signedData)
            } catch { throw .runner(error) }
            let text = (verified.stdout + verified.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
            results.append(SignatureResult(commit: commit.id.description, state: verified.status == 0 ? .good : .bad, principal: principal, message: text))
        }
        return results
    }
}
