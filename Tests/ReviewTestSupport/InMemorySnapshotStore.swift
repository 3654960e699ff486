import ContentHash
import Foundation
import RunnerCore

/// A `SnapshotStore` in memory, for engine tests that need no git: commits are ids over their content.
public final class InMemorySnapshotStore: SnapshotStore {
    struct StoredCommit {
        var commit: SnapshotCommit
        var files: [String: String]
    }

    private var commits: [String: StoredCommit] = [:]
    private var blobs: [String: [UInt8]] = [:]
    public private(set) var branchTip: String?
    /// How many times `moveTip` succeeded.
    public private(set) var moves = 0
    private var clock: Int64 = 1_700_000_000

    public init() {}

    public func tip() throws(RunnerError) -> String? { branchTip }

    public func writeSnapshot(files: [SnapshotFile], message: String, parent: String?) throws(RunnerError) -> (commit: String, blobs: [String: String]) {
        var tree: [String: String] = [:]
        for file in files {
            let bytes: [UInt8]
            switch file.source {
            case .bytes(let data): bytes = data
            case .file(let path, _):
                guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, message: "missing") }
                bytes = Array(data)
            }
            let id = FileHasher.sha256(bytes: bytes)
            blobs[id] = bytes
            tree[file.path] = id
        }
        clock += 1
        let description = tree.keys.sorted().map { "\($0) \(tree[$0] ?? "")" }.joined(separator: "\n") + message + (parent ?? "") + String(clock)
        let id = FileHasher.sha256(bytes: Array(description.utf8))
        commits[id] = StoredCommit(
            commit: SnapshotCommit(id: id, parents: parent.map { [$0] } ?? [], message: message, time: clock, offsetMinutes: 0), files: tree)
        return (id, tree)
    }

    public func moveTip(to commit: String, expected: String?) throws(RunnerError) {
        guard branchTip == expected else { throw .trail("the trail branch moved") }
        branchTip = commit
        moves += 1
    }

    public func history() throws(RunnerError) -> [SnapshotCommit] {
        var out: [SnapshotCommit] = []
        var next = branchTip
        while let id = next, let stored = commits[id] {
            out.append(stored.commit)
            next = stored.commit.parents.first
        }
        return out
    }

    public func commit(_ id: String) throws(RunnerError) -> SnapshotCommit {
        guard let stored = commits[id] else { throw .trail("no commit \(id)") }
        return stored.commit
    }

    public func files(at commit: String) throws(RunnerError) -> [String: String] { commits[commit]?.files ?? [:] }

    public func blob(_ id: String) throws(RunnerError) -> [UInt8] {
        guard let bytes = blobs[id] else { throw .trail("no blob \(id)") }
        return bytes
    }

    public func read(_ path: String, at commit: String) throws(RunnerError) -> [UInt8]? {
        guard let id = commits[commit]?.files[path] else { return nil }
        return blobs[id]
    }

    public func resolve(_ revision: String) throws(RunnerError) -> String? {
        if commits[revision] != nil { return revision }
        return commits.keys.first { $0.hasPrefix(revision) }
    }

    public func trailers(of message: String) -> [(key: String, value: String)] {
        let paragraphs = message.components(separatedBy: "\n\n")
        guard let last = paragraphs.last(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else { return [] }
        return last.split(separator: "\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}
