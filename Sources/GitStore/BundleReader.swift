import CLibgit2
import Foundation

/// A git bundle read back: its header's refs and the ids of the objects in its pack, checked by libgit2's indexer.
public struct BundleContents: Sendable, Equatable {
    /// (refname, id) pairs of the header, in order.
    public var refs: [BundleRef]
    /// Every object the pack holds (commits, trees, blobs), as the indexer computed their ids.
    public var objects: Set<ObjectID>

    /// One ref line of a bundle header.
    public struct BundleRef: Sendable, Equatable {
        public var name: String
        public var target: String
    }

    /// Reads a v2 bundle's header and indexes its pack in a temporary folder (the indexer checks the pack's
    /// checksum and resolves every delta, so a damaged pack is an error).
    public static func read(_ bytes: [UInt8]) throws(GitError) -> BundleContents {
        _ = libgit2Bootstrap
        guard let end = bytes.firstRange(of: [0x0A, 0x0A]) else {
            throw GitError(code: -1, function: "readBundle", message: "no end of the bundle header")
        }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.first == "# v2 git bundle" else { throw GitError(code: -1, function: "readBundle", message: "not a v2 git bundle") }
        let refs = lines.dropFirst().compactMap { line -> BundleRef? in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return parts.count == 2 ? BundleRef(name: parts[1], target: parts[0]) : nil
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reviewtrail-bundle-\(getpid())-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw GitError(code: -1, function: "readBundle", message: "cannot create \(folder.path): \(error)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        var indexer: OpaquePointer?
        var options = git_indexer_options()
        try check(git_indexer_options_init(&options, 1), "git_indexer_options_init")
        try check(git_indexer_new(&indexer, folder.path, 0, nil, &options), "git_indexer_new")
        defer { git_indexer_free(indexer) }
        var stats = git_indexer_progress()
        let pack = Array(bytes[end.upperBound...])
        let appended = pack.withUnsafeBytes { buffer in git_indexer_append(indexer, buffer.baseAddress, buffer.count, &stats) }
        try check(appended, "git_indexer_append")
        try check(git_indexer_commit(indexer, &stats), "git_indexer_commit")
        guard let name = git_indexer_name(indexer) else { throw GitError(code: -1, function: "git_indexer_name", message: "no pack name") }
        let index = folder.appendingPathComponent("pack-\(String(cString: name)).idx").path
        var odb: OpaquePointer?
        try check(git_odb_new(&odb), "git_odb_new")
        defer { git_odb_free(odb) }
        var backend: OpaquePointer?
        try check(git_odb_backend_one_pack(&backend, index), "git_odb_backend_one_pack")
        try check(git_odb_add_backend(odb, backend, 1), "git_odb_add_backend")
        final class Collector { var ids: Set<ObjectID> = [] }
        let collector = Collector()
        let unmanaged = Unmanaged.passUnretained(collector)
        try check(
            git_odb_foreach(
                odb,
                { id, payload in
                    guard let id, let payload else { return 0 }
                    Unmanaged<Collector>.fromOpaque(payload).takeUnretainedValue().ids.insert(ObjectID(id.pointee))
                    return 0
                }, unmanaged.toOpaque()), "git_odb_foreach")
        return BundleContents(refs: refs, objects: collector.ids)
    }
}
