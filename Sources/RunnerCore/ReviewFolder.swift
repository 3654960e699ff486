import Foundation
import WorkflowModel

#if canImport(Glibc)
    import Glibc
#endif

/// A review on disk: the folder holding workflow.json, the decoded workflow and the runner's state folder.
public struct ReviewFolder: Sendable {
    public static let workflowFile = "workflow.json"

    public let root: URL
    public let workflow: Workflow
    public let workflowBytes: [UInt8]
    /// `root` as a plain path, for building file paths without URL overhead.
    public let rootPath: String
    private let listings = ListingCache()
    /// The runner's own folder (`.review/`): lock, stat cache, staging, journal.
    public var stateDirectory: URL { root.appendingPathComponent(".review", isDirectory: true) }
    /// The trail repository's path.
    public var trailPath: String { root.appendingPathComponent(workflow.trail.repository).path }

    /// Reads and validates `workflow.json` in `directory`, including the checks that need the file system.
    /// - Throws: `RunnerError.workflow` (exit 2) naming the line and JSON path.
    public static func load(at directory: URL, catalog: StepCatalog) throws(RunnerError) -> ReviewFolder {
        let root = URL(fileURLWithPath: realPath(directory.path) ?? directory.path, isDirectory: true)
        let file = root.appendingPathComponent(workflowFile)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .usage("no \(workflowFile) in \(root.path): run review in the review folder or pass -C DIR")
        }
        let bytes = Array(data)
        let workflow: Workflow
        do { workflow = try WorkflowDecoder(catalog: catalog, file: workflowFile).decode(bytes) } catch { throw .workflow(error) }
        let folder = ReviewFolder(root: root, workflow: workflow, workflowBytes: bytes, rootPath: root.path)
        try folder.checkFiles()
        return folder
    }

    /// Checks what needs the disk: no declared path leaves the folder through a symlink, and every
    /// hand-made input (one that no step writes) names at least one existing file.
    func checkFiles() throws(RunnerError) {
        let steps = workflow.steps
        let outputs = steps.flatMap(\.outputs)
        for step in steps {
            for (output, location) in zip(step.outputs, step.outputLocations) {
                if let escape = escapingComponent(of: output) {
                    throw .workflow(WorkflowError(location, "\"\(output)\" leads outside the review folder through the symlink \"\(escape)\"", fix: "replace the symlink by a real folder inside the review"))
                }
            }
            for (input, location) in zip(step.inputs, step.inputLocations) {
                if let escape = escapingComponent(of: WorkflowDecoder.globPrefix(input)) {
                    throw .workflow(WorkflowError(location, "\"\(input)\" leads outside the review folder through the symlink \"\(escape)\"", fix: "copy the file into the review folder"))
                }
                let files = expand(input)
                let kept = Set(files)
                for file in expandIncludingEscapes(input) where !kept.contains(file) {
                    throw .workflow(WorkflowError(location, "\"\(input)\" matches \"\(file)\", a symlink to a file outside the review folder", fix: "copy the file into the review folder"))
                }
                let producedByAStep = outputs.contains { WorkflowDecoder.reads(input, $0) }
                if files.isEmpty && !producedByAStep {
                    let what = isGlobPattern(input) ? "the pattern \"\(input)\" matches no file" : "the input \"\(input)\" does not exist"
                    throw .workflow(WorkflowError(location, what, fix: "add the file, or correct the path (it is relative to the folder of workflow.json)"))
                }
            }
        }
    }

    /// The first component of `path` that is a symlink pointing outside the review, or nil. Components
    /// already checked (declared paths share most of theirs) are remembered for the life of the folder.
    func escapingComponent(of path: String) -> String? {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + part
            switch listings.componentCheck(prefix) {
            case .inside: continue
            case .missing: return nil
            case .escapes: return prefix
            case nil: break
            }
            let full = absolute(prefix)
            var info = stat()
            guard lstat(full, &info) == 0 else {
                listings.recordComponent(prefix, .missing)
                return nil
            }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                guard let target = Self.realPath(full), target == root.path || target.hasPrefix(root.path + "/") else {
                    listings.recordComponent(prefix, .escapes)
                    return prefix
                }
            }
            listings.recordComponent(prefix, .inside)
        }
        return nil
    }

    /// The files on disk that a declared path names: the file itself, a folder's files, or a glob's matches; sorted.
    public func expand(_ pattern: String) -> [String] {
        if isFolderPath(pattern) { return listFiles(under: pattern) }
        if !isGlobPattern(pattern) {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: absolute(pattern), isDirectory: &isDirectory)
            return exists && !isDirectory.boolValue ? [pattern] : []
        }
        return listFiles(under: Self.globBase(pattern)).filter { WorkflowDecoder.globMatches(pattern, $0) }
    }

    /// Like `expand`, but also the files that are symlinks leading outside the review.
    func expandIncludingEscapes(_ pattern: String) -> [String] {
        let base = isFolderPath(pattern) ? pattern : Self.globBase(pattern)
        let escaping = escapingFiles(under: base).filter { isFolderPath(pattern) || WorkflowDecoder.globMatches(pattern, $0) || $0 == pattern }
        return (expand(pattern) + escaping).sorted()
    }

    /// The folder a glob's matches are listed from: its literal part up to the last `/`.
    static func globBase(_ pattern: String) -> String {
        let prefix = WorkflowDecoder.globPrefix(pattern)
        guard let slash = prefix.lastIndex(of: "/") else { return "" }
        return String(prefix[...slash])
    }

    /// Every regular file under `folder` (relative, ending in `/`, or "" for the root), sorted; skips `.review`
    /// and `.git`. Listings are cached until `forgetListings()`, since one command expands many patterns.
    public func listFiles(under folder: String) -> [String] {
        listing(folder).filter { !$0.escapes }.map(\.path)
    }

    /// Files under `folder` that are symlinks to something outside the review.
    func escapingFiles(under folder: String) -> [String] { listing(folder).filter(\.escapes).map(\.path) }

    private func listing(_ folder: String) -> [ListingCache.Entry] {
        if let cached = listings.get(folder) { return cached }
        var out: [ListingCache.Entry] = []
        walk(folder, into: &out)
        out.sort { $0.path < $1.path }
        listings.set(folder, out)
        return out
    }

    /// Drops cached folder listings (after a step or a stage changed files): all of them, or those that
    /// could hold files under one of `folders`.
    public func forgetListings(under folders: [String]? = nil) {
        guard let folders else { return listings.clear() }
        listings.remove { listed in folders.contains { $0.hasPrefix(listed) || listed.hasPrefix($0) } }
    }

    private func walk(_ folder: String, into out: inout [ListingCache.Entry]) {
        guard let directory = opendir(folder.isEmpty ? rootPath : absolute(folder)) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            var kind = entry.pointee.d_type
            let name = withUnsafePointer(to: &entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name == "." || name == ".." { continue }
            if folder.isEmpty && (name == ".review" || name == ".git" || name == ".build") { continue }
            let path = folder + name
            var escapes = false
            if kind == UInt8(DT_UNKNOWN) || kind == UInt8(DT_LNK) {
                let full = absolute(path)
                var info = stat()
                guard lstat(full, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    let target = Self.realPath(full)
                    escapes = !(target.map { $0 == root.path || $0.hasPrefix(root.path + "/") } ?? true)
                    guard stat(full, &info) == 0 else { continue }
                }
                kind = (info.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : (info.st_mode & S_IFMT) == S_IFREG ? UInt8(DT_REG) : UInt8(DT_UNKNOWN)
            }
            if kind == UInt8(DT_DIR) {
                if escapes { continue }
                walk(path + "/", into: &out)
            } else if kind == UInt8(DT_REG) {
                out.append(ListingCache.Entry(path: path, escapes: escapes))
            }
        }
    }

    /// The absolute path of a path relative to the review.
    public func absolute(_ path: String) -> String { rootPath + "/" + path }

    /// The canonical absolute path of an existing file, resolving symlinks.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The folders where stages keep generated files (`stages/<stage>/out/`).
    public var outputFolders: [String] {
        Set(workflow.steps.flatMap(\.outputs).compactMap { output -> String? in
            guard let range = output.range(of: "/out/") else { return nil }
            return String(output[..<range.upperBound])
        }).sorted()
    }

    /// Files in a stage's `out/` folder that no step declares.
    public func undeclaredOutputFiles() -> [String] {
        let outputs = workflow.steps.flatMap(\.outputs)
        return outputFolders.flatMap { listFiles(under: $0) }.filter { file in
            !outputs.contains { $0 == file || (isFolderPath($0) && file.hasPrefix($0)) }
        }
    }
}

/// Folder listings, cached for the life of a command (reset when steps change files).
final class ListingCache: @unchecked Sendable {
    struct Entry: Sendable {
        var path: String
        /// A symlink to a file outside the review.
        var escapes: Bool
    }

    /// What checking one path component found.
    enum ComponentCheck {
        case inside
        case missing
        case escapes
    }

    private var entries: [String: [Entry]] = [:]
    private var components: [String: ComponentCheck] = [:]
    private let lock = NSLock()

    func componentCheck(_ prefix: String) -> ComponentCheck? {
        lock.lock()
        defer { lock.unlock() }
        return components[prefix]
    }

    func recordComponent(_ prefix: String, _ check: ComponentCheck) {
        lock.lock()
        components[prefix] = check
        lock.unlock()
    }

    func get(_ folder: String) -> [Entry]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[folder]
    }

    func set(_ folder: String, _ value: [Entry]) {
        lock.lock()
        entries[folder] = value
        lock.unlock()
    }

    func clear() {
        lock.lock()
        entries = [:]
        components = [:]
        lock.unlock()
    }

    func remove(where shouldRemove: (String) -> Bool) {
        lock.lock()
        entries = entries.filter { !shouldRemove($0.key) }
        lock.unlock()
    }
}
