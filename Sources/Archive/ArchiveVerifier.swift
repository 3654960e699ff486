import ContentHash
import Foundation
import GitStore
import RunnerCore

/// One problem `review verify --archive` found: the file it concerns and what is wrong.
public struct ArchiveProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}

/// Checks an archive folder (or a bag folder) without trusting it: bag structure, every manifest line, every payload
/// file listed, Payload-Oxum, and the trail bundle against the trail it names.
public struct ArchiveVerifier {
    public let bag: URL
    /// The review whose trail the bundle must match, when the check runs inside one.
    public let folder: ReviewFolder?

    /// `directory` is the archive folder holding `bag/`, or the bag itself.
    public init(directory: URL, folder: ReviewFolder?) {
        let inner = directory.appendingPathComponent("bag", isDirectory: true)
        bag = FileManager.default.fileExists(atPath: inner.appendingPathComponent("bagit.txt").path) ? inner : directory
        self.folder = folder
    }

    func read(_ relative: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: bag.appendingPathComponent(relative).path) else { return nil }
        return Array(data)
    }

    /// Every file under the bag: relative path and size in bytes, sorted by path.
    func listFiles() -> [(path: String, size: Int)] {
        guard let enumerator = FileManager.default.enumerator(at: bag, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else { return [] }
        var out: [(path: String, size: Int)] = []
        let base = bag.standardizedFileURL.path + "/"
        for case let url as URL in enumerator {
            guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]), values.isRegularFile == true else { continue }
            out.append((String(url.standardizedFileURL.path.dropFirst(base.count)), values.fileSize ?? 0))
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Parses `bag-info.txt` labels (continuation lines joined).
    static func bagInfo(_ text: String) -> [(String, String)] {
        var out: [(String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.first == " " || line.first == "\t", !out.isEmpty {
                out[out.count - 1].1 += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                out.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return out
    }

    /// One manifest line: the path it names, the digest it records, and where it stands.
    struct ManifestLine {
        var path: String
        var digest: String
        var number: Int
    }

    /// Parses a manifest's lines (`<digest> <path>`, path percent-decoded); malformed lines are reported by number.
    static func manifestLines(_ bytes: [UInt8], malformed: (Int) -> Void) -> [ManifestLine] {
        var out: [ManifestLine] = []
        for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2 else {
                malformed(number + 1)
                continue
            }
            let path = parts[1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%0A", with: "\n")
                .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%25", with: "%")
            out.append(ManifestLine(path: path, digest: parts[0].lowercased(), number: number + 1))
        }
        return out
    }

    /// The SHA-256 and SHA-512 of each file that can be read: every file is read once, and the digests are
    /// computed on all cores (the two digests of one file on two).
    func digests(of paths: [String]) -> [String: (sha256: String, sha512: String)] {
        let files = paths.compactMap { path in read(path).map { (path, $0) } }
        return Dictionary(zip(files.map(\.0), Bag.digests(files.map(\.1))), uniquingKeysWith: { first, _ in first })
    }

    /// Runs every check; an empty list means the archive verifies.
    public func verify() throws(ArchiveError) -> [ArchiveProblem] {
        var problems: [ArchiveProblem] = []
        func problem(_ path: String, _ message: String) { problems.append(ArchiveProblem(path: path, message: message)) }
        guard let bagit = read("bagit.txt") else { return [ArchiveProblem(path: bag.path, message: "not a bag: no bagit.txt")] }
        if !String(decoding: bagit, as: UTF8.self).hasPrefix("BagIt-Version: ") { problem("bagit.txt", "does not start with BagIt-Version") }
        let listing = listFiles()
        let onDisk = listing.map(\.path)
        let payload = listing.filter { $0.path.hasPrefix("data/") }
        let bundlePath = "data/audit/trail.bundle"
        let bundleBytes = read(bundlePath)
        let indexed = bundleBytes.map { bytes in Background { Result { () throws(GitError) in try BundleContents.read(bytes) } } }
        var manifests: [(kind: String, algorithm: String, name: String, lines: [ManifestLine], malformed: [Int])] = []
        for (kind, prefix) in [("payload", "manifest-"), ("tag", "tagmanifest-")] {
            for algorithm in ["sha256", "sha512"] {
                let name = "\(prefix)\(algorithm).txt"
                guard let bytes = read(name) else {
                    if kind == "payload" || algorithm == "sha256" { problem(name, "missing") }
                    continue
                }
                var malformed: [Int] = []
                let lines = Self.manifestLines(bytes) { malformed.append($0) }
                manifests.append((kind, algorithm, name, lines, malformed))
            }
        }
        let digests = digests(of: Array(Set(manifests.flatMap { $0.lines.map(\.path) })).sorted())
        for manifest in manifests {
            let name = manifest.name
            for number in manifest.malformed { problem("\(name):\(number)", "malformed line") }
            var listed: Set<String> = []
            for line in manifest.lines {
                let path = line.path
                listed.insert(path)
                if manifest.kind == "tag" && path.hasPrefix("data/") { problem("\(name):\(line.number)", "a tag manifest lists the payload file \(path)") }
                guard let digest = digests[path] else {
                    problem(path, "listed in \(name) but missing")
                    continue
                }
                let actual = manifest.algorithm == "sha256" ? digest.sha256 : digest.sha512
                if actual != line.digest {
                    problem(path, "\(manifest.algorithm) is \(actual.prefix(16))…, \(name) line \(line.number) says \(line.digest.prefix(16))… (changed after packing)")
                }
            }
            if manifest.kind == "payload" {
                for file in payload where !listed.contains(file.path) { problem(file.path, "in the payload but not listed in \(name)") }
            } else {
                for path in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"] where onDisk.contains(path) && !listed.contains(path) {
                    problem(path, "not listed in \(name)")
                }
            }
        }
        if onDisk.contains("fetch.txt") { problem("fetch.txt", "present: the deposit must be self-contained") }
        let info = Self.bagInfo(String(decoding: read("bag-info.txt") ?? [], as: UTF8.self))
        func label(_ name: String) -> String? { info.first { $0.0.lowercased() == name.lowercased() }?.1 }
        if let oxum = label("Payload-Oxum") {
            let octets = payload.reduce(0) { $0 + $1.size }
            if oxum != "\(octets).\(payload.count)" { problem("bag-info.txt", "Payload-Oxum \(oxum), the payload holds \(octets).\(payload.count)") }
        } else {
            problem("bag-info.txt", "no Payload-Oxum")
        }
        guard let commit = label("Trail-Commit") else {
            problem("bag-info.txt", "no Trail-Commit: the bag does not name the trail commit it packs")
            _ = indexed?.value()
            return problems
        }
        guard let indexed else {
            problem(bundlePath, "missing")
            return problems
        }
        try checkBundle(commit: commit, indexed: indexed.value(), problem: problem)
        return problems
    }

    /// Checks the bundle's refs and pack (`indexed`: the pack as libgit2's indexer read it) against the trail commit.
    func checkBundle(commit: String, indexed: Result<BundleContents, GitError>, problem: (String, String) -> Void) throws(ArchiveError) {
        let path = "data/audit/trail.bundle"
        let archived: BundleContents
        switch indexed {
        case .success(let contents): archived = contents
        case .failure(let error):
            problem(path, "not a readable git bundle: \(error.message)")
            return
        }
        let branch = folder?.workflow.trail.branch ?? "trail"
        for name in ["HEAD", "refs/heads/\(branch)"] {
            guard let ref = archived.refs.first(where: { $0.name == name }) else {
                problem(path, "the bundle has no \(name)")
                continue
            }
            if ref.target != commit { problem(path, "the bundle's \(name) is \(ref.target.prefix(8)), bag-info.txt names trail commit \(commit.prefix(8))") }
        }
        guard let tip = ObjectID(hex: commit) else {
            problem("bag-info.txt", "Trail-Commit \(commit) is not a commit id")
            return
        }
        if !archived.objects.contains(tip) { problem(path, "the pack does not hold commit \(commit.prefix(8)) that it names") }
        guard let folder else { return }
        let store: GitSnapshotStore
        do { store = try GitSnapshotStore(path: folder.trailPath, branch: branch, create: false) } catch {
            problem(path, "the review's trail cannot be opened: \(error)")
            return
        }
        guard store.gitRepository.contains(tip) else {
            problem(path, "the review's trail (\(folder.workflow.trail.repository)) has no commit \(commit)")
            return
        }
        let expected: Set<ObjectID>
        do { expected = try store.gitRepository.reachableObjects(from: [tip]) } catch { throw .trail(error.description) }
        let missing = expected.subtracting(archived.objects)
        let extra = archived.objects.subtracting(expected)
        if !missing.isEmpty || !extra.isEmpty {
            problem(
                path,
                "does not match the trail it names: commit \(commit.prefix(8)) in \(folder.workflow.trail.repository) reaches \(expected.count) objects; the bundle lacks \(missing.count) of them and holds \(extra.count) others")
        }
    }
}
