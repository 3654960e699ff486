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

    /// Every file under the bag, relative paths, sorted.
    func listFiles() -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: bag, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        let base = bag.standardizedFileURL.path + "/"
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            out.append(String(url.standardizedFileURL.path.dropFirst(base.count)))
        }
        return out.sorted()
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

    /// Runs every check; an empty list means the archive verifies.
    public func verify() throws(ArchiveError) -> [ArchiveProblem] {
        var problems: [ArchiveProblem] = []
        func problem(_ path: String, _ message: String) { problems.append(ArchiveProblem(path: path, message: message)) }
        guard let bagit = read("bagit.txt") else { return [ArchiveProblem(path: bag.path, message: "not a bag: no bagit.txt")] }
        if !String(decoding: bagit, as: UTF8.self).hasPrefix("BagIt-Version: ") { problem("bagit.txt", "does not start with BagIt-Version") }
        let onDisk = listFiles()
        let payload = onDisk.filter { $0.hasPrefix("data/") }
        var manifests = 0
        for (kind, prefix) in [("payload", "manifest-"), ("tag", "tagmanifest-")] {
            for algorithm in ["sha256", "sha512"] {
                let name = "\(prefix)\(algorithm).txt"
                guard let bytes = read(name) else {
                    if kind == "payload" || algorithm == "sha256" { problem(name, "missing") }
                    continue
                }
                manifests += 1
                var listed: Set<String> = []
                for (number, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
                    let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                    guard parts.count == 2 else {
                        problem("\(name):\(number + 1)", "malformed line")
                        continue
                    }
                    let path = parts[1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%0A", with: "\n")
                        .replacingOccurrences(of: "%0D", with: "\r").replacingOccurrences(of: "%25", with: "%")
                    listed.insert(path)
                    if kind == "tag" && path.hasPrefix("data/") { problem("\(name):\(number + 1)", "a tag manifest lists the payload file \(path)") }
                    guard let content = read(path) else {
                        problem(path, "listed in \(name) but missing")
                        continue
                    }
                    let actual = algorithm == "sha256" ? FileHasher.sha256(bytes: content) : FileHasher.sha512(bytes: content)
                    if actual != parts[0].lowercased() {
                        problem(path, "\(algorithm) is \(actual.prefix(16))…, \(name) line \(number + 1) says \(parts[0].prefix(16))… (changed after packing)")
                    }
                }
                if kind == "payload" {
                    for path in payload where !listed.contains(path) { problem(path, "in the payload but not listed in \(name)") }
                } else {
                    for path in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt"] where onDisk.contains(path) && !listed.contains(path) {
                        problem(path, "not listed in \(name)")
                    }
                }
            }
        }
        if onDisk.contains("fetch.txt") { problem("fetch.txt", "present: the deposit must be self-contained") }
        let info = Self.bagInfo(String(decoding: read("bag-info.txt") ?? [], as: UTF8.self))
        func label(_ name: String) -> String? { info.first { $0.0.lowercased() == name.lowercased() }?.1 }
        if let oxum = label("Payload-Oxum") {
            let octets = payload.reduce(0) { $0 + (read($1)?.count ?? 0) }
            if oxum != "\(octets).\(payload.count)" { problem("bag-info.txt", "Payload-Oxum \(oxum), the payload holds \(octets).\(payload.count)") }
        } else {
            problem("bag-info.txt", "no Payload-Oxum")
        }
        guard let commit = label("Trail-Commit") else {
            problem("bag-info.txt", "no Trail-Commit: the bag does not name the trail commit it packs")
            return problems
        }
        try checkBundle(commit: commit, problem: problem)
        return problems
    }

    func checkBundle(commit: String, problem: (String, String) -> Void) throws(ArchiveError) {
        let path = "data/audit/trail.bundle"
        guard let bytes = read(path) else {
            problem(path, "missing")
            return
        }
        let archived: BundleContents
        do { archived = try BundleContents.read(bytes) } catch {
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
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("reviewtrail-verify-\(getpid())-\(UUID().uuidString).bundle")
        defer { try? FileManager.default.removeItem(at: fresh) }
        let expected: BundleContents
        do {
            try store.gitRepository.writeBundle(refs: [("HEAD", tip), ("refs/heads/\(branch)", tip)], to: fresh)
            expected = try BundleContents.read(Array(try Data(contentsOf: fresh)))
        } catch let error as GitError {
            throw .trail(error.description)
        } catch {
            throw .io(path: fresh.path, message: "\(error)")
        }
        let missing = expected.objects.subtracting(archived.objects)
        let extra = archived.objects.subtracting(expected.objects)
        if !missing.isEmpty || !extra.isEmpty {
            problem(
                path,
                "does not match the trail it names: commit \(commit.prefix(8)) in \(folder.workflow.trail.repository) reaches \(expected.objects.count) objects; the bundle lacks \(missing.count) of them and holds \(extra.count) others")
        }
    }
}
