import ContentHash
import Foundation
import WorkflowModel

/// The review's files as the runner sees them during a run: what is on disk, overlaid by the outputs a
/// stage has staged but not yet moved into place; hashes come from the stat cache.
final class Workspace {
    let folder: ReviewFolder
    var cache: StatCache
    /// Declared output path → staged location, for steps that ran in the current stage.
    var overlay: [String: URL] = [:]
    /// Log files of the steps run in the current stage, by their path in the snapshot.
    var logs: [String: [UInt8]] = [:]
    private var stagedDigests: [String: FileDigest] = [:]
    /// Content of small files read while hashing, with the stamp it was read at, so that the snapshot
    /// does not read them again (up to `retainedLimit` bytes in all).
    private(set) var retained: [String: (stamp: FileStamp, content: [UInt8])] = [:]
    private var retainedBytes = 0
    /// When set, files whose content was read in this run are not stat'ed again: the snapshot stores the
    /// content that was hashed, so hash and blob agree even if the file changed meanwhile (verify reports it).
    var trustRetained = false
    static let retainBelow = 64 * 1024
    static let retainedLimit = 256 * 1024 * 1024

    var cacheURL: URL { folder.stateDirectory.appendingPathComponent("hash-cache.tsv") }

    init(folder: ReviewFolder) {
        self.folder = folder
        cache = StatCache.load(from: folder.stateDirectory.appendingPathComponent("hash-cache.tsv"))
    }

    func saveCache() {
        try? FileManager.default.createDirectory(at: folder.stateDirectory, withIntermediateDirectories: true)
        try? cache.save(to: cacheURL)
    }

    /// The files a declared path resolves to now, staged outputs taking the place of those on disk.
    func resolve(_ pattern: String) -> [ResolvedFile] {
        var files: [String: String] = [:]
        var stagedPaths: Set<String> = []
        let staged = overlay.keys
        for path in folder.expand(pattern) where !staged.contains(where: { $0 == path || (isFolderPath($0) && path.hasPrefix($0)) }) {
            files[path] = folder.absolute(path)
        }
        for (output, url) in overlay {
            if isFolderPath(output) {
                for file in Self.filesBelow(url) {
                    let path = output + file
                    if WorkflowDecoder.reads(pattern, path) || pattern == path {
                        files[path] = url.path + "/" + file
                        stagedPaths.insert(path)
                    }
                }
            } else if WorkflowDecoder.reads(pattern, output) {
                files[output] = url.path
                stagedPaths.insert(output)
            }
        }
        return files.keys.sorted().map { ResolvedFile(path: $0, location: files[$0] ?? folder.rootPath, staged: stagedPaths.contains($0)) }
    }

    /// Relative paths of the regular files below a folder URL, sorted.
    static func filesBelow(_ url: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        let base = url.standardizedFileURL.path
        for case let item as URL in enumerator {
            guard (try? item.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = item.standardizedFileURL.path
            if path.hasPrefix(base + "/") { out.append(String(path.dropFirst(base.count + 1))) }
        }
        return out.sorted()
    }

    /// Digests of resolved files: on-disk ones through the stat cache, staged ones hashed once.
    func digests(_ files: [ResolvedFile]) throws(RunnerError) -> [FileDigest] {
        var onDisk: [String] = []
        var known: [String: (stamp: FileStamp, sha256: String, content: [UInt8]?)] = [:]
        for file in files where !file.staged {
            if trustRetained, let kept = retained[file.path], let entry = cache.entries[file.path], entry.stamp == kept.stamp {
                known[file.path] = (entry.stamp, entry.sha256, nil)
            } else {
                onDisk.append(file.path)
            }
        }
        let hashed: [String: (stamp: FileStamp, sha256: String, content: [UInt8]?)]
        let keep = retainedBytes < Self.retainedLimit ? Self.retainBelow : 0
        do { hashed = try cache.hash(onDisk, rootPath: folder.rootPath, keepContentBelow: keep).merging(known) { new, _ in new } } catch {
            throw .hash(error)
        }
        for (path, entry) in hashed {
            if let content = entry.content {
                retained[path] = (entry.stamp, content)
                retainedBytes += content.count
            }
        }
        var out: [FileDigest] = []
        for file in files {
            if !file.staged, let entry = hashed[file.path] {
                out.append(FileDigest(path: file.path, sha256: entry.sha256, size: entry.stamp.size))
            } else if let known = stagedDigests[file.location] {
                out.append(known)
            } else {
                guard let stamp = FileStamp.of(path: file.location) else { throw .io(path: file.path, message: "the file disappeared while the runner read it") }
                let sha: String
                do { sha = try FileHasher.sha256(path: file.location) } catch { throw .hash(error) }
                let digest = FileDigest(path: file.path, sha256: sha, size: stamp.size)
                stagedDigests[file.location] = digest
                out.append(digest)
            }
        }
        return out
    }

    /// The content of `path` read while hashing, if it was small and has not changed since.
    func retainedContent(_ path: String) -> [UInt8]? {
        guard let kept = retained[path], cache.entries[path]?.stamp == kept.stamp else { return nil }
        return kept.content
    }

    /// The digests of every file a step's declared outputs resolve to now.
    func outputDigests(_ step: Step) throws(RunnerError) -> [FileDigest] {
        var files: [ResolvedFile] = []
        for output in step.outputs { files += resolve(output) }
        return try digests(files)
    }
}
