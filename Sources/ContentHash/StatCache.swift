import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What `stat` says about a file: enough to tell that it has not changed since it was hashed.
public struct FileStamp: Codable, Equatable, Sendable {
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var inode: UInt64

    public init(size: Int64, mtimeNanoseconds: Int64, inode: UInt64) {
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.inode = inode
    }

    /// The stamp of the regular file at `path`, or nil when there is none (missing, a folder…).
    public static func of(path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let nanos = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return FileStamp(size: Int64(info.st_size), mtimeNanoseconds: nanos, inode: UInt64(info.st_ino))
    }
}

/// A persistent cache (path, size, mtime, inode) → SHA-256 (and the git blob id, when known), so that a
/// no-op `status` does not re-read unchanged files. A changed size, mtime or inode always re-hashes.
public struct StatCache: Sendable {
    /// One cached file.
    public struct Entry: Codable, Equatable, Sendable {
        public var stamp: FileStamp
        public var sha256: String
        public var blob: String?
    }

    public private(set) var entries: [String: Entry]
    private var dirty = false

    public init(entries: [String: Entry] = [:]) { self.entries = entries }

    /// Loads the cache at `url`; a missing or unreadable cache is an empty one (it is only a cache).
    /// The format is one tab-separated line per file (path, size, mtime ns, inode, sha256, blob), read
    /// without a JSON decoder because every command reads it at start-up.
    public static func load(from url: URL) -> StatCache {
        guard let data = FileManager.default.contents(atPath: url.path) else { return StatCache() }
        var entries: [String: Entry] = [:]
        for line in data.split(separator: 0x0A) {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            guard fields.count == 6, let size = Int64(String(decoding: fields[1], as: UTF8.self)),
                let mtime = Int64(String(decoding: fields[2], as: UTF8.self)),
                let inode = UInt64(String(decoding: fields[3], as: UTF8.self))
            else { return StatCache() }
            let blob = String(decoding: fields[5], as: UTF8.self)
            entries[String(decoding: fields[0], as: UTF8.self)] = Entry(
                stamp: FileStamp(size: size, mtimeNanoseconds: mtime, inode: inode), sha256: String(decoding: fields[4], as: UTF8.self),
                blob: blob.isEmpty ? nil : blob)
        }
        return StatCache(entries: entries)
    }

    /// Writes the cache atomically when it changed.
    public mutating func save(to url: URL) throws {
        guard dirty else { return }
        var text = ""
        for path in entries.keys.sorted() where !path.contains("\t") && !path.contains("\n") {
            guard let entry = entries[path] else { continue }
            text += "\(path)\t\(entry.stamp.size)\t\(entry.stamp.mtimeNanoseconds)\t\(entry.stamp.inode)\t\(entry.sha256)\t\(entry.blob ?? "")\n"
        }
        try Data(text.utf8).write(to: url, options: .atomic)
        dirty = false
    }

    /// The cached entry for `path` when its stamp still matches `stamp`.
    public func entry(for path: String, stamp: FileStamp) -> Entry? {
        guard let entry = entries[path], entry.stamp == stamp else { return nil }
        return entry
    }

    /// Records a freshly computed hash (and blob id) for `path`.
    public mutating func record(_ path: String, stamp: FileStamp, sha256: String, blob: String? = nil) {
        let entry = Entry(stamp: stamp, sha256: sha256, blob: blob ?? entries[path].flatMap { $0.sha256 == sha256 ? $0.blob : nil })
        if entries[path] != entry {
            entries[path] = entry
            dirty = true
        }
    }

    /// Hashes `paths` (relative to `root`), reading only the files whose stamp changed, on all cores.
    /// - Returns: path → (stamp, sha256) for each file that exists; missing files are left out.
    public mutating func hash(_ paths: [String], root: URL) throws(ContentHashError) -> [String: (stamp: FileStamp, sha256: String)] {
        try hash(paths, rootPath: root.path)
    }

    /// Like `hash(_:root:)` with the root as a plain path (no URL building per file, which is slow).
    public mutating func hash(_ paths: [String], rootPath: String) throws(ContentHashError) -> [String: (stamp: FileStamp, sha256: String)] {
        try hash(paths, rootPath: rootPath, keepContentBelow: 0).mapValues { ($0.stamp, $0.sha256) }
    }

    /// Hashes `paths` like `hash(_:root:)`, and hands back the content of the files it had to read that are
    /// smaller than `keepContentBelow` bytes.
    public mutating func hash(
        _ paths: [String], rootPath: String, keepContentBelow: Int
    ) throws(ContentHashError) -> [String: (stamp: FileStamp, sha256: String, content: [UInt8]?)] {
        var out: [String: (FileStamp, String, [UInt8]?)] = [:]
        var toHash: [(String, FileStamp)] = []
        for path in paths {
            guard let stamp = FileStamp.of(path: rootPath + "/" + path) else { continue }
            if let cached = entry(for: path, stamp: stamp) {
                out[path] = (stamp, cached.sha256, nil)
            } else {
                toHash.append((path, stamp))
            }
        }
        let results = FileHasher.digests(paths: toHash.map { rootPath + "/" + $0.0 }, algorithms: [.sha256], keepContentBelow: keepContentBelow)
        for ((path, stamp), result) in zip(toHash, results) {
            let (digests, content) = try result.get()
            let digest = digests[.sha256] ?? ""
            record(path, stamp: stamp, sha256: digest)
            out[path] = (stamp, digest, content)
        }
        return out
    }
}
