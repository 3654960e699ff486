import CLibgit2
import Foundation

/// A ref named in a bundle's header.
public struct BundleReference: Sendable, Equatable {
    public var name: String
    public var target: ObjectID

    public init(name: String, target: ObjectID) {
        self.name = name
        self.target = target
    }
}

/// A commit's signature and the exact bytes it signs (the commit without its `gpgsig` header).
public struct CommitSignature: Sendable, Equatable {
    public var signature: String
    public var signedData: [UInt8]
}

extension GitRepository {
    /// Clones the repository at `source` into a new bare repository at `path`, copying its objects (no
    /// hard links, so nothing is ever written into `source`).
    /// - Throws: `GitError` when `source` is no repository or `path` cannot be written.
    public static func cloneBare(from source: String, to path: String) throws(GitError) -> GitRepository {
        _ = libgit2Bootstrap
        var options = git_clone_options()
        try check(git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "git_clone_options_init")
        options.bare = 1
        options.local = GIT_CLONE_LOCAL_NO_LINKS
        var handle: OpaquePointer?
        try check(git_clone(&handle, source, path, &options), "git_clone(\(source))")
        guard let handle else { throw GitError(code: -1, function: "git_clone", message: "no handle") }
        git_repository_free(handle)
        return try open(at: path)
    }

    /// Reads the header of a v2 git bundle: its refs and where its pack starts.
    /// - Throws: `GitError` naming the file when it is not a v2 bundle or needs prerequisite commits.
    public static func bundleHeader(of bytes: [UInt8], file: String) throws(GitError) -> (refs: [BundleReference], packOffset: Int) {
        _ = libgit2Bootstrap
        let signature = Array("# v2 git bundle\n".utf8)
        guard bytes.count >= signature.count, Array(bytes[0..<signature.count]) == signature else {
            throw GitError(code: -1, function: "bundleHeader", message: "\(file): not a v2 git bundle (the first line is not \"# v2 git bundle\")")
        }
        var refs: [BundleReference] = []
        var position = signature.count
        var lineNumber = 1
        while true {
            lineNumber += 1
            guard let end = bytes[position...].firstIndex(of: 0x0A) else {
                throw GitError(code: -1, function: "bundleHeader", message: "\(file):\(lineNumber): the header has no end (no blank line before the pack)")
            }
            let line = String(decoding: bytes[position..<end], as: UTF8.self)
            position = end + 1
            if line.isEmpty { break }
            if line.hasPrefix("-") {
                throw GitError(code: -1, function: "bundleHeader", message: "\(file):\(lineNumber): the bundle needs prerequisite commits (\(line.dropFirst().prefix(40))); only complete bundles can be read")
            }
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, let id = ObjectID(hex: parts[0]) else {
                throw GitError(code: -1, function: "bundleHeader", message: "\(file):\(lineNumber): expected \"<40 hex> <refname>\", found \"\(line.prefix(80))\"")
            }
            refs.append(BundleReference(name: parts[1], target: id))
        }
        return (refs, position)
    }

    /// Makes a new bare repository at `path` from a v2 git bundle: its pack is indexed with `git_indexer`
    /// (libgit2 1.5 has no bundle transport) and its refs are created; `HEAD` points at the branch it names.
    /// - Returns: the repository and the bundle's refs.
    public static func importBundle(at file: String, into path: String, initialBranch: String) throws(GitError) -> (repository: GitRepository, refs: [BundleReference]) {
        guard let bytes = readWholeFile(file) else {
            throw GitError(code: -1, function: "importBundle", message: "cannot read \(file)")
        }
        let (refs, offset) = try bundleHeader(of: bytes, file: file)
        let created = try openOrCreateBare(at: path, initialBranch: initialBranch)
        let packDirectory = (git_repository_path(created.pointer).map { String(cString: $0) } ?? path + "/") + "objects/pack"
        var indexer: OpaquePointer?
        var options = git_indexer_options()
        try check(git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "git_indexer_options_init")
        try check(git_indexer_new(&indexer, packDirectory, 0, nil, &options), "git_indexer_new")
        defer { git_indexer_free(indexer) }
        var stats = git_indexer_progress()
        let appended = bytes.withUnsafeBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return git_indexer_append(indexer, base + offset, buffer.count - offset, &stats)
        }
        try check(appended, "git_indexer_append(\(file))")
        try check(git_indexer_commit(indexer, &stats), "git_indexer_commit(\(file))")
        let repository = try open(at: path)
        for ref in refs where ref.name.hasPrefix("refs/") {
            guard repository.contains(ref.target) else {
                throw GitError(code: -1, function: "importBundle", message: "\(file): \(ref.name) names \(ref.target), which the pack does not hold")
            }
            try repository.updateReference(ref.name, to: ref.target, expected: nil, logMessage: "review: from bundle")
        }
        return (repository, refs)
    }

    /// True when `ancestor` is `commit` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of commit: ObjectID) throws(GitError) -> Bool {
        if ancestor == commit { return true }
        var a = commit.raw
        var b = ancestor.raw
        let code = git_graph_descendant_of(pointer, &a, &b)
        try check(code, "git_graph_descendant_of")
        return code == 1
    }

    /// Writes a commit signed by `sign`, which is given the commit's bytes and returns an armored signature
    /// (e.g. from `ssh-keygen -Y sign -n git`); it moves no ref.
    public func createSignedCommit(
        tree: ObjectID, parents: [ObjectID], message: String, author: Signature, sign: ([UInt8]) throws -> String
    ) throws(GitError) -> ObjectID {
        let commit = try withCommitParts(tree: tree, parents: parents, author: author) { signature, treeHandle, parentHandles throws(GitError) in
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            let code = parentHandles.withUnsafeMutableBufferPointer { handles in
                git_commit_create_buffer(&buffer, pointer, signature, signature, nil, message, treeHandle, handles.count, handles.baseAddress)
            }
            try check(code, "git_commit_create_buffer")
            guard let content = buffer.ptr else { throw GitError(code: -1, function: "git_commit_create_buffer", message: "empty buffer") }
            return Array(UnsafeRawBufferPointer(start: content, count: buffer.size))
        }
        let armored: String
        do { armored = try sign(commit) } catch {
            throw GitError(code: -1, function: "sign", message: "\(error)")
        }
        var out = git_oid()
        let code = (commit + [0]).withUnsafeBufferPointer { content in
            git_commit_create_with_signature(&out, pointer, UnsafeRawPointer(content.baseAddress!).assumingMemoryBound(to: CChar.self), armored, nil)
        }
        try check(code, "git_commit_create_with_signature")
        return ObjectID(out)
    }

    /// The `gpgsig` signature of a commit and the bytes it signs, or nil when the commit is not signed.
    public func commitSignature(_ id: ObjectID) throws(GitError) -> CommitSignature? {
        var signature = git_buf()
        var signed = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&signed)
        }
        var raw = id.raw
        let code = git_commit_extract_signature(&signature, &signed, pointer, &raw, nil)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_commit_extract_signature(\(id))")
        let text = signature.ptr.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: signature.size), as: UTF8.self) } ?? ""
        let data = signed.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: signed.size)) } ?? []
        return CommitSignature(signature: text, signedData: data)
    }
}
