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
        let staged = overlay.keys
        for path in folder.expand(pattern) where !staged.contains(where: { $0 == path || (isFolderPath($0) && path.hasPrefix($0)) }) {
            files[path] = folder.absolute(path)
        }
        for (output, url) in overlay {
            if isFolderPath(output) {
                for file in Self.filesBelow(url) {
                    let path = output + file
                    if WorkflowDecoder.reads(pattern, path) || pattern == path { files[path] = url.path + "/" + file }
                }
            } else if WorkflowDecoder.reads(pattern, output) {
                files[output] = url.path
            }
        }
        return files.keys.sorted().map { ResolvedFile(path: $0, location: files[$0] ?? folder.rootPath) }
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
        for file in files where file.location == folder.absolute(file.path) { onDisk.append(file.path) }
        let hashed: [String: (stamp: FileStamp, sha256: String)]
        do { hashed = try cache.hash(onDisk, rootPath: folder.rootPath) } catch { throw .hash(error) }
        var out: [FileDigest] = []
        for file in files {
            if let entry = hashed[file.path], file.location == folder.absolute(file.path) {
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

    /// The digests of every file a step's declared outputs resolve to now.
    func outputDigests(_ step: Step) throws(RunnerError) -> [FileDigest] {
        var files: [ResolvedFile] = []
        for output in step.outputs { files += resolve(output) }
        return try digests(files)
    }
}
