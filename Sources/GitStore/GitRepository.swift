import CLibgit2
import Foundation

/// Who made a commit; `time` nil means now (real runs), a fixed time makes commit ids reproducible in tests.
public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String
    public var time: Int64?
    public var offsetMinutes: Int32

    public init(name: String, email: String, time: Int64? = nil, offsetMinutes: Int32 = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }
}

/// A file in a tree: its path (with `/`), its blob and whether it is executable.
public struct TreeFile: Sendable, Equatable {
    public var path: String
    public var blob: ObjectID
    public var executable: Bool

    public init(path: String, blob: ObjectID, executable: Bool = false) {
        self.path = path
        self.blob = blob
        self.executable = executable
    }
}

/// A commit read back from the repository, copied out of libgit2's memory.
public struct CommitInfo: Sendable, Equatable {
    public let id: ObjectID
    public let tree: ObjectID
    public let parents: [ObjectID]
    public let message: String
    /// Commit time, seconds since 1970.
    public let time: Int64
    public let offsetMinutes: Int32
    public let authorName: String
    public let authorEmail: String

    /// The first line of the message.
    public var summary: String { String(message.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }
}

/// A libgit2 repository handle. Not Sendable: use it from one isolation domain and pass only values out.
public final class GitRepository {
    let pointer: OpaquePointer
    /// The repository's folder (the git directory for a bare repository).
    public let path: String

    private init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    /// An object database over this repository's `objects/` folder with only the loose-object backend (zlib
    /// level 1, git's own default for loose objects), for
    /// writing many new blobs: libgit2's full database rescans `objects/pack/` after every write of an
    /// object it does not hold yet (five system calls an object), this one has no packs to rescan.
    private var looseWriter: OpaquePointer?

    deinit {
        if let looseWriter { git_odb_free(looseWriter) }
        git_repository_free(pointer)
    }

    /// Opens an existing repository.
    /// - Throws: `GitError` with `GIT_ENOTFOUND` when there is none at `path`.
    public static func open(at path: String) throws(GitError) -> GitRepository {
        _ = libgit2Bootstrap
        var handle: OpaquePointer?
        try check(git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil), "git_repository_open_ext")
        guard let handle else { throw GitError(code: -1, function: "git_repository_open_ext", message: "no handle") }
        return GitRepository(pointer: handle, path: path)
    }

    /// Opens the bare repository at `path`, creating it (with HEAD on `branch`) when it does not exist.
    public static func openOrCreateBare(at path: String, initialBranch branch: String) throws(GitError) -> GitRepository {
        _ = libgit2Bootstrap
        if FileManager.default.fileExists(atPath: path + "/HEAD") { return try open(at: path) }
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)), "git_repository_init_options_init")
        options.flags = GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
        var handle: OpaquePointer?
        let code = ("refs/heads/" + branch).withCString { head -> Int32 in
            options.initial_head = head
            return git_repository_init_ext(&handle, path, &options)
        }
        try check(code, "git_repository_init_ext")
        guard let handle else { throw GitError(code: -1, function: "git_repository_init_ext", message: "no handle") }
        return GitRepository(pointer: handle, path: path)
    }

    // MARK: Objects

    /// Writes `bytes` as a blob (a no-op when the blob exists).
    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        let odb = try looseObjectWriter()
        var oid = git_oid()
        let code = bytes.withUnsafeBytes { git_odb_write(&oid, odb, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        try check(code, "git_odb_write(blob)")
        return ObjectID(oid)
    }

    private func looseObjectWriter() throws(GitError) -> OpaquePointer {
        if let looseWriter { return looseWriter }
        var odb: OpaquePointer?
        try check(git_odb_new(&odb), "git_odb_new")
        guard let odb else { throw GitError(code: -1, function: "git_odb_new", message: "no object database") }
        var backend: OpaquePointer?
        let objects = (git_repository_path(pointer).map { String(cString: $0) } ?? path + "/") + "objects"
        let code = git_odb_backend_loose(&backend, objects, 1, 0, 0, 0)
        if code < 0 {
            git_odb_free(odb)
            throw lastError(code, "git_odb_backend_loose")
        }
        let added = git_odb_add_backend(odb, backend, 1)
        if added < 0 {
            git_odb_free(odb)
            throw lastError(added, "git_odb_add_backend")
        }
        looseWriter = odb
        return odb
    }

    /// Writes the file at `filePath` as a blob. When `known` names a blob already in the
    /// object database (from a cache), the file is not read again. The file is read here rather than by
    /// `git_blob_create_from_disk`, which resolves every path component (10 readlink calls a file).
    public func writeBlob(fileAt filePath: String, known: ObjectID? = nil) throws(GitError) -> ObjectID {
        if let known, contains(known) { return known }
        guard let bytes = Self.readWholeFile(filePath) else {
            throw GitError(code: -1, function: "writeBlob", message: "cannot read \(filePath)")
        }
        return try writeBlob(bytes)
    }

    /// The bytes of a file, read with one open and plain reads.
    static func readWholeFile(_ path: String) -> [UInt8]? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(descriptor, base + offset, buffer.count - offset)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            offset += count
        }
        return offset == bytes.count ? bytes : nil
    }

    /// True when the object database holds `id`.
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) == 0, let odb else { return false }
        defer { git_odb_free(odb) }
        var raw = id.raw
        return git_odb_exists(odb, &raw) == 1
    }

    /// The bytes of a blob.
    public func blobBytes(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var blob: OpaquePointer?
        var raw = id.raw
        try check(git_blob_lookup(&blob, pointer, &raw), "git_blob_lookup(\(id))")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// Builds the nested trees for `files` (paths with `/`) and returns the root tree.
    public func writeTree(_ files: [TreeFile]) throws(GitError) -> ObjectID {
        let root = TreeNode()
        for file in files {
            let parts = file.path.split(separator: "/").map(String.init)
            var node = root
            for part in parts.dropLast() {
                if let child = node.children[part] { node = child } else {
                    let child = TreeNode()
                    node.children[part] = child
                    node = child
                }
            }
            node.files[parts.last ?? file.path] = file
        }
        return try write(root)
    }

    private func write(_ node: TreeNode) throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, pointer, nil), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        for (name, child) in node.children {
            var oid = try write(child).raw
            try check(git_treebuilder_insert(nil, builder, name, &oid, GIT_FILEMODE_TREE), "git_treebuilder_insert(\(name))")
        }
        for (name, file) in node.files {
            var oid = file.blob.raw
            let mode = file.executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
            try check(git_treebuilder_insert(nil, builder, name, &oid, mode), "git_treebuilder_insert(\(name))")
        }
        var out = git_oid()
        try check(git_treebuilder_write(&out, builder), "git_treebuilder_write")
        return ObjectID(out)
    }

    /// Every file (blob) of a tree, recursively, with full paths, in path order.
    public func files(inTree tree: ObjectID) throws(GitError) -> [TreeFile] {
        var files: [TreeFile] = []
        try collect(tree: tree, prefix: "", into: &files)
        return files.sorted { $0.path < $1.path }
    }

    private func collect(tree id: ObjectID, prefix: String, into files: inout [TreeFile]) throws(GitError) {
        var tree: OpaquePointer?
        var raw = id.raw
        try check(git_tree_lookup(&tree, pointer, &raw), "git_tree_lookup(\(id))")
        defer { git_tree_free(tree) }
        let count = git_tree_entrycount(tree)
        var subtrees: [(String, ObjectID)] = []
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index), let name = git_tree_entry_name(entry),
                let oid = git_tree_entry_id(entry)
            else { continue }
            let path = prefix + String(cString: name)
            let mode = git_tree_entry_filemode(entry)
            let entryID = ObjectID(oid.pointee)
            if mode == GIT_FILEMODE_TREE {
                subtrees.append((path + "/", entryID))
            } else if mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE {
                files.append(TreeFile(path: path, blob: entryID, executable: mode == GIT_FILEMODE_BLOB_EXECUTABLE))
            }
        }
        for (path, subtree) in subtrees { try collect(tree: subtree, prefix: path, into: &files) }
    }

    /// The blob at `path` in `commit`'s tree, or nil when there is none.
    public func blob(at path: String, inCommit commit: ObjectID) throws(GitError) -> ObjectID? {
        let info = try self.commit(commit)
        var tree: OpaquePointer?
        var raw = info.tree.raw
        try check(git_tree_lookup(&tree, pointer, &raw), "git_tree_lookup")
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, tree, path)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_tree_entry_bypath(\(path))")
        defer { git_tree_entry_free(entry) }
        guard let oid = git_tree_entry_id(entry) else { return nil }
        return ObjectID(oid.pointee)
    }

    // MARK: Commits and refs

    /// Writes a commit object; it moves no ref (use `updateReference` for that).
    public func createCommit(
        tree: ObjectID, parents: [ObjectID], message: String, author: Signature
    ) throws(GitError) -> ObjectID {
        try withCommitParts(tree: tree, parents: parents, author: author) { signature, treeHandle, parentHandles throws(GitError) in
            var out = git_oid()
            let code = parentHandles.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(
                    &out, pointer, nil, signature, signature, nil, message, treeHandle, buffer.count, buffer.baseAddress)
            }
            try check(code, "git_commit_create")
            return ObjectID(out)
        }
    }

    /// Looks up what a new commit is made of (its author and committer signature, tree and parents), hands them to
    /// `body` and frees them afterwards.
    func withCommitParts<T>(
        tree: ObjectID, parents: [ObjectID], author: Signature,
        _ body: (UnsafeMutablePointer<git_signature>?, OpaquePointer?, inout [OpaquePointer?]) throws(GitError) -> T
    ) throws(GitError) -> T {
        var signature: UnsafeMutablePointer<git_signature>?
        if let time = author.time {
            try check(git_signature_new(&signature, author.name, author.email, time, author.offsetMinutes), "git_signature_new")
        } else {
            try check(git_signature_now(&signature, author.name, author.email), "git_signature_now")
        }
        defer { git_signature_free(signature) }
        var treeHandle: OpaquePointer?
        var treeRaw = tree.raw
        try check(git_tree_lookup(&treeHandle, pointer, &treeRaw), "git_tree_lookup")
        defer { git_tree_free(treeHandle) }
        var parentHandles: [OpaquePointer?] = []
        defer { for handle in parentHandles { git_commit_free(handle) } }
        for parent in parents {
            var handle: OpaquePointer?
            var raw = parent.raw
            try check(git_commit_lookup(&handle, pointer, &raw), "git_commit_lookup(\(parent))")
            parentHandles.append(handle)
        }
        return try body(signature, treeHandle, &parentHandles)
    }

    /// Moves `name` to `target` only if it still points at `expected` (nil: only if it does not exist yet).
    /// - Throws: a `GitError` whose `isConcurrentModification` is true when the ref moved meanwhile.
    public func updateReference(_ name: String, to target: ObjectID, expected: ObjectID?, logMessage: String) throws(GitError) {
        var reference: OpaquePointer?
        var raw = target.raw
        if let expected {
            var current = expected.raw
            try check(
                git_reference_create_matching(&reference, pointer, name, &raw, 1, &current, logMessage),
                "git_reference_create_matching(\(name))")
        } else {
            try check(git_reference_create(&reference, pointer, name, &raw, 0, logMessage), "git_reference_create(\(name))")
        }
        git_reference_free(reference)
    }

    /// Deletes a ref; nothing happens when it does not exist.
    public func deleteReference(_ name: String) throws(GitError) {
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return }
        try check(code, "git_reference_lookup(\(name))")
        defer { git_reference_free(reference) }
        try check(git_reference_delete(reference), "git_reference_delete(\(name))")
    }

    /// The commit a ref points at, or nil when the ref does not exist (an unborn branch).
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_reference_name_to_id(\(name))")
        return ObjectID(oid)
    }

    /// The names of refs that start with `prefix` (e.g. `refs/tags/`), sorted.
    public func referenceNames(prefix: String) throws(GitError) -> [String] {
        var array = git_strarray()
        try check(git_reference_list(&array, pointer), "git_reference_list")
        defer { git_strarray_dispose(&array) }
        var names: [String] = []
        for index in 0..<array.count {
            if let name = array.strings[index] {
                let text = String(cString: name)
                if text.hasPrefix(prefix) { names.append(text) }
            }
        }
        return names.sorted()
    }

    /// Resolves a revision expression (`trail~2`, an abbreviated id…) to a commit; nil when nothing matches.
    public func resolveCommit(_ spec: String) throws(GitError) -> ObjectID? {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, pointer, spec)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue || code == GIT_EAMBIGUOUS.rawValue {
            return nil
        }
        try check(code, "git_revparse_single(\(spec))")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        let peel = git_object_peel(&commit, object, GIT_OBJECT_COMMIT)
        if peel == GIT_ENOTFOUND.rawValue || peel == GIT_EINVALIDSPEC.rawValue { return nil }
        try check(peel, "git_object_peel")
        defer { git_object_free(commit) }
        guard let oid = git_object_id(commit) else { return nil }
        return ObjectID(oid.pointee)
    }

    /// Reads a commit.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        var commit: OpaquePointer?
        var raw = id.raw
        try check(git_commit_lookup(&commit, pointer, &raw), "git_commit_lookup(\(id))")
        defer { git_commit_free(commit) }
        var parents: [ObjectID] = []
        for index in 0..<git_commit_parentcount(commit) {
            if let parent = git_commit_parent_id(commit, index) { parents.append(ObjectID(parent.pointee)) }
        }
        let author = git_commit_author(commit)
        let tree = git_commit_tree_id(commit).map { ObjectID($0.pointee) } ?? id
        return CommitInfo(
            id: id, tree: tree, parents: parents,
            message: git_commit_message(commit).map { String(cString: $0) } ?? "",
            time: Int64(git_commit_time(commit)), offsetMinutes: git_commit_time_offset(commit),
            authorName: author.flatMap { $0.pointee.name.map { String(cString: $0) } } ?? "",
            authorEmail: author.flatMap { $0.pointee.email.map { String(cString: $0) } } ?? "")
    }

    /// The first-parent chain from `tip` back to the root, newest first.
    public func firstParentHistory(from tip: ObjectID) throws(GitError) -> [CommitInfo] {
        var history: [CommitInfo] = []
        var next: ObjectID? = tip
        var seen: Set<ObjectID> = []
        while let id = next, !seen.contains(id) {
            seen.insert(id)
            let info = try commit(id)
            history.append(info)
            next = info.parents.first
        }
        return history
    }

    /// Creates or moves a lightweight tag `refs/tags/<name>`.
    public func tag(_ name: String, target: ObjectID) throws(GitError) {
        var reference: OpaquePointer?
        var raw = target.raw
        try check(git_reference_create(&reference, pointer, "refs/tags/" + name, &raw, 1, "tag"), "git_reference_create(tag \(name))")
        git_reference_free(reference)
    }

    // MARK: Bundles

    /// Writes a git bundle (v2 header and one pack of everything reachable from `refs`).
    /// - Parameter refs: (refname, commit) pairs, e.g. `("HEAD", tip), ("refs/heads/trail", tip)`.
    public func writeBundle(refs: [(name: String, target: ObjectID)], to file: URL) throws(GitError) {
        let bytes = try bundle(refs: refs)
        do { try Data(bytes).write(to: file, options: .atomic) } catch {
            throw GitError(code: -1, function: "writeBundle", message: "cannot write \(file.path): \(error)")
        }
    }

    /// The bytes of a git bundle (v2 header and one pack, written by libgit2's packbuilder, of everything reachable
    /// from `refs`).
    public func bundle(refs: [(name: String, target: ObjectID)]) throws(GitError) -> [UInt8] {
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, pointer), "git_packbuilder_new")
        defer { git_packbuilder_free(builder) }
        _ = git_packbuilder_set_threads(builder, 1)
        let walk = try revisionWalk(from: refs.map(\.target))
        defer { git_revwalk_free(walk) }
        try check(git_packbuilder_insert_walk(builder, walk), "git_packbuilder_insert_walk")
        var buffer = git_buf()
        try check(git_packbuilder_write_buf(&buffer, builder), "git_packbuilder_write_buf")
        defer { git_buf_dispose(&buffer) }
        var header = "# v2 git bundle\n"
        for ref in refs { header += "\(ref.target) \(ref.name)\n" }
        header += "\n"
        var out = Array(header.utf8)
        out.reserveCapacity(out.count + buffer.size)
        if let bytes = buffer.ptr {
            out.append(contentsOf: UnsafeRawBufferPointer(start: UnsafeRawPointer(bytes), count: buffer.size))
        }
        return out
    }

    /// Every object reachable from `tips`: the commits, their trees and the trees' blobs (the set
    /// `git_packbuilder_insert_walk` packs; gitlinks are not followed). Walks the object graph without reading blobs.
    public func reachableObjects(from tips: [ObjectID]) throws(GitError) -> Set<ObjectID> {
        let walk = try revisionWalk(from: tips)
        defer { git_revwalk_free(walk) }
        var objects: Set<ObjectID> = []
        var oid = git_oid()
        while true {
            let code = git_revwalk_next(&oid, walk)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "git_revwalk_next")
            objects.insert(ObjectID(oid))
            var commit: OpaquePointer?
            try check(git_commit_lookup(&commit, pointer, &oid), "git_commit_lookup(\(ObjectID(oid)))")
            let tree = git_commit_tree_id(commit).map { ObjectID($0.pointee) }
            git_commit_free(commit)
            if let tree { try insertTree(tree, into: &objects) }
        }
        return objects
    }

    /// A revision walk from `tips` (each once, in a fixed order); the caller frees it with `git_revwalk_free`.
    private func revisionWalk(from tips: [ObjectID]) throws(GitError) -> OpaquePointer? {
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, pointer), "git_revwalk_new")
        do {
            for tip in Set(tips).sorted() {
                var raw = tip.raw
                try check(git_revwalk_push(walk, &raw), "git_revwalk_push")
            }
        } catch {
            git_revwalk_free(walk)
            throw error
        }
        return walk
    }

    private func insertTree(_ id: ObjectID, into objects: inout Set<ObjectID>) throws(GitError) {
        guard objects.insert(id).inserted else { return }
        var tree: OpaquePointer?
        var raw = id.raw
        try check(git_tree_lookup(&tree, pointer, &raw), "git_tree_lookup(\(id))")
        defer { git_tree_free(tree) }
        var subtrees: [ObjectID] = []
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index), let oid = git_tree_entry_id(entry) else { continue }
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE: subtrees.append(ObjectID(oid.pointee))
            case GIT_OBJECT_BLOB: objects.insert(ObjectID(oid.pointee))
            default: continue
            }
        }
        for subtree in subtrees { try insertTree(subtree, into: &objects) }
    }

    // MARK: Messages

    /// The trailers of a commit message as libgit2 parses them (`git interpret-trailers --parse`), in order.
    public static func trailers(of message: String) -> [(key: String, value: String)] {
        _ = libgit2Bootstrap
        var array = git_message_trailer_array()
        guard git_message_trailers(&array, message) == 0 else { return [] }
        defer { git_message_trailer_array_free(&array) }
        var out: [(String, String)] = []
        for index in 0..<array.count {
            let trailer = array.trailers[index]
            out.append((String(cString: trailer.key), String(cString: trailer.value)))
        }
        return out
    }
}

private final class TreeNode {
    var children: [String: TreeNode] = [:]
    var files: [String: TreeFile] = [:]
}

extension GitRepository {
    /// The user.name and user.email git configuration gives (repository, global, system), or nil.
    public func defaultIdentity() -> (name: String, email: String)? {
        var signature: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&signature, pointer) == 0, let signature else { return nil }
        defer { git_signature_free(signature) }
        guard let name = signature.pointee.name, let email = signature.pointee.email else { return nil }
        return (String(cString: name), String(cString: email))
    }
}
