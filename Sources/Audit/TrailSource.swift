import Foundation
import GitStore
import WorkflowModel

/// A trail to audit from elsewhere: a trail repository, a git bundle, or an archive bag holding
/// `data/audit/trail.bundle`; opened as a private bare copy inside a temporary folder.
public struct TrailSource: Sendable, Equatable {
    /// What the source is.
    public enum Kind: String, Sendable, Equatable {
        case repository, bundle, bag
    }

    public var kind: Kind
    /// The path given (a repository's folder, a bundle file or a bag's folder).
    public var path: String
    /// The bundle file read, for a bundle or a bag.
    public var bundle: String?

    /// Decides what `path` is.
    /// - Throws: `AuditError.source` when it is none of a repository, a bundle and a bag.
    public static func classify(_ path: String) throws(AuditError) -> TrailSource {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .source("\(path): no such file or folder (give a trail repository, a git bundle, or an archive bag)")
        }
        if !isDirectory.boolValue { return TrailSource(kind: .bundle, path: path, bundle: path) }
        let bagBundle = (path as NSString).appendingPathComponent("data/audit/trail.bundle")
        if fileManager.fileExists(atPath: bagBundle) { return TrailSource(kind: .bag, path: path, bundle: bagBundle) }
        for marker in ["HEAD", ".git"] where fileManager.fileExists(atPath: (path as NSString).appendingPathComponent(marker)) {
            return TrailSource(kind: .repository, path: path, bundle: nil)
        }
        throw .source("\(path): neither a git repository, nor a bag with data/audit/trail.bundle")
    }

    /// Copies the source into a new bare repository at `destination` and finds the tip to audit: `HEAD`,
    /// else `refs/heads/<branch>`, else the bundle's only ref.
    public func open(into destination: String, branch: String = "trail") throws(AuditError) -> (repository: GitRepository, tip: ObjectID) {
        do {
            if let bundle {
                let (repository, refs) = try GitRepository.importBundle(at: bundle, into: destination, initialBranch: branch)
                let tip = refs.first { $0.name == "HEAD" }?.target ?? refs.first { $0.name == "refs/heads/" + branch }?.target
                    ?? (refs.count == 1 ? refs[0].target : nil)
                guard let tip else {
                    throw AuditError.source("\(bundle): names no HEAD and no refs/heads/\(branch) (refs: \(refs.map(\.name).joined(separator: ", ")))")
                }
                return (repository, tip)
            }
            let repository = try GitRepository.cloneBare(from: path, to: destination)
            guard let tip = try repository.resolveCommit("HEAD") ?? repository.referenceTarget("refs/heads/" + branch) else {
                throw AuditError.source("\(path): the repository has no commits on HEAD or \(branch)")
            }
            return (repository, tip)
        } catch let error as AuditError {
            throw error
        } catch let error as GitError {
            throw .git(error)
        } catch {
            throw .source("\(path): \(error)")
        }
    }
}

extension GitRepository {
    /// The snapshot manifest at a commit.
    func manifest(at commit: ObjectID) throws(AuditError) -> SnapshotManifest {
        do {
            guard let blob = try blob(at: SnapshotManifest.path, inCommit: commit) else {
                throw AuditError.source("snapshot \(commit.short) has no \(SnapshotManifest.path); is this a ReviewTrail trail?")
            }
            return try SnapshotManifest.decode(try blobBytes(blob))
        } catch let error as AuditError {
            throw error
        } catch let error as GitError {
            throw .git(error)
        } catch {
            throw .source("snapshot \(commit.short): \(SnapshotManifest.path) cannot be read: \(error)")
        }
    }
}
