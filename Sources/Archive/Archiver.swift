import ContentHash
import Foundation
import RunnerCore
import WorkflowModel

/// What `review archive` wrote.
public struct ArchiveResult: Sendable {
    public var folder: URL
    public var commit: String
    public var tag: String
    public var payloadFiles: Int
    public var payloadBytes: Int
    public var doi: String
}

/// Packs the trail as it stands into `bag/`, `bag.zip`, `bag.tar` and `dataverse-dataset.json`, then tags the tip.
public struct Archiver {
    public let folder: ReviewFolder
    public let runnerVersion: String

    public init(folder: ReviewFolder, runnerVersion: String) {
        self.folder = folder
        self.runnerVersion = runnerVersion
    }

    /// The archive folder: `output` (relative to the review folder unless absolute), else workflow.json's `archive.output`.
    public func outputFolder(_ output: String?) -> URL {
        let path = output ?? folder.workflow.archive.output
        return path.hasPrefix("/") ? URL(fileURLWithPath: path, isDirectory: true) : folder.root.appendingPathComponent(path, isDirectory: true)
    }

    /// Builds the bag in memory from the trail's last snapshot and tags the packed commit `archive/<n>` (nothing is
    /// written, and no tag made, when the metadata is incomplete or the snapshot cannot be packed).
    public func build() throws(ArchiveError) -> (bag: Bag, context: ArchiveContext, tag: String) {
        let metadata = try ArchiveMetadata.from(folder.workflow)
        let trail = try TrailSnapshot.read(folder)
        let context = ArchiveContext(
            metadata: metadata, workflow: folder.workflow, commit: trail.commit, runs: trail.runs, runnerVersion: runnerVersion,
            snapshotFiles: trail.manifest.files)
        // libgit2's packbuilder writes tagged commits first, so the tag goes on before the pack is built: the
        // first and every later archive of this commit then see the same tags and get the same bundle bytes.
        let tag = try trail.tagArchive()
        // Packing (zlib at libgit2's default level) is the longest part: it runs on its own thread while the rest
        // of the payload is built and hashed.
        let packing: Background<Result<[UInt8], ArchiveError>>
        do { packing = try trail.bundle() } catch {
            if tag.created { trail.removeTag(tag.name) }
            throw error
        }
        do {
            let bag = try build(trail: trail, context: context, packing: packing)
            return (bag, context, tag.name)
        } catch {
            _ = packing.value()
            if tag.created { trail.removeTag(tag.name) }
            throw error
        }
    }

    func build(trail: TrailSnapshot, context: ArchiveContext, packing: Background<Result<[UInt8], ArchiveError>>) throws(ArchiveError) -> Bag {
        let metadata = context.metadata
        var payload = try PayloadMap.files(from: trail)
        let bundlePath = "data/audit/trail.bundle"
        let bundleDescription =
            "the audit trail: a git bundle of HEAD and branch \(folder.workflow.trail.branch) at \(trail.commit.id.prefix(8)); open it with git clone"
        var profiles = Self.profiles(payload.filter { $0.path.hasSuffix(".csv") })
        let codebookBytes = Codebook.build(tables: profiles, chartingCodebook: try trail.bytes("stages/4-charting/codebook.json"))
        let codebook = PayloadFile(
            path: "data/charting/codebook.csv", bytes: codebookBytes,
            description: "the codebook: one row per variable of every CSV file in this package", encodingFormat: "text/csv", trailPath: nil, verbatim: false)
        payload.append(codebook)
        profiles.append((codebook.path, CSVProfile(parsing: codebookBytes)))
        let readmeEntry = (path: "data/00_README.txt", description: "this file: the dataset's ReadMe (DataverseNO template)")
        let crateEntry = (path: "data/ro-crate-metadata.json", description: "RO-Crate 1.1 metadata with Process Run Crate 0.5 provenance: one CreateAction per step run")
        let listed = ([readmeEntry, crateEntry, (path: bundlePath, description: bundleDescription)] + payload.map { (path: $0.path, description: $0.description) })
            .sorted { $0.path < $1.path }
        payload.append(
            PayloadFile(
                path: readmeEntry.path, bytes: Array(ReadMe.text(context, files: listed, tables: profiles.sorted { $0.path < $1.path }).utf8),
                description: readmeEntry.description, encodingFormat: "text/plain", trailPath: nil, verbatim: false))
        payload = Bag.withDigests(payload)
        let bundle = try packing.value().get()
        payload.append(
            PayloadFile(path: bundlePath, bytes: bundle, description: bundleDescription, encodingFormat: "application/x-git", trailPath: nil, verbatim: false))
        payload = Bag.withDigests(payload)
        payload.sort { $0.path < $1.path }
        let crate = CanonicalJSON.pretty(ROCrate.value(context, files: payload))
        payload.append(
            PayloadFile(
                path: crateEntry.path, bytes: Array(crate.utf8), description: crateEntry.description, encodingFormat: "application/ld+json", trailPath: nil,
                verbatim: false))
        let m = metadata
        let bagInfo: [(String, String)] = [
            ("Source-Organization", context.organization),
            ("Contact-Name", m.contact.name),
            ("Contact-Email", m.contact.email),
            ("External-Description", m.title),
            ("External-Identifier", context.externalIdentifier),
            ("Bagging-Date", context.packedDay),
            ("BagIt-Profile-Identifier", Bag.profileIdentifier),
            ("Internal-Sender-Identifier", "review trail commit \(trail.commit.id)"),
            ("Internal-Sender-Description", "ReviewTrail \(runnerVersion) packed branch \(folder.workflow.trail.branch) at this commit; data/audit/trail.bundle holds it"),
            ("Trail-Commit", trail.commit.id),
        ]
        return Bag(
            payload: payload, bagInfo: bagInfo,
            tagFiles: [Serialization.Entry(path: "metadata/datacite.xml", bytes: Array(DataCite.xml(context).utf8))])
    }

    /// The profile of each CSV file (path under the bag), on all cores.
    static func profiles(_ files: [PayloadFile]) -> [(path: String, profile: CSVProfile)] {
        zip(files, concurrentMap(files.count) { CSVProfile(parsing: files[$0].bytes) }).map { ($0.path, $1) }
    }

    /// Writes the archive under `output`; the packed commit carries the tag `archive/<n>`.
    public func write(output: String?) throws(ArchiveError) -> ArchiveResult {
        let (bag, context, tag) = try build()
        let target = outputFolder(output)
        let manager = FileManager.default
        let staging = target.appendingPathComponent(".bag.\(getpid()).partial", isDirectory: true)
        let old = target.appendingPathComponent(".bag.\(getpid()).old", isDirectory: true)
        try? manager.removeItem(at: staging)
        defer { try? manager.removeItem(at: staging) }
        do { try manager.createDirectory(at: target, withIntermediateDirectories: true) } catch {
            throw .io(path: target.path, message: "cannot create: \(error.localizedDescription)")
        }
        try bag.write(to: staging)
        let entries = bag.files.map { Serialization.Entry(path: "bag/" + $0.path, bytes: $0.bytes) }
        let time = context.commit.time
        let zipURL = target.appendingPathComponent("bag.zip")
        let zipping = Background { Result { () throws(ArchiveError) in try Serialization.writeZip(entries, time: time, to: zipURL) } }
        let tarred = Result { () throws(ArchiveError) in try Serialization.writeTar(entries, time: time, to: target.appendingPathComponent("bag.tar")) }
        try zipping.value().get()
        try tarred.get()
        let dataset = CanonicalJSON.pretty(DataverseDataset.value(context))
        do { try AtomicFile.write(dataset, to: target.appendingPathComponent("dataverse-dataset.json")) } catch { throw .runner(error) }
        let bagURL = target.appendingPathComponent("bag", isDirectory: true)
        if manager.fileExists(atPath: bagURL.path), rename(bagURL.path, old.path) != 0 {
            throw .io(path: bagURL.path, message: "cannot replace: \(String(cString: strerror(errno)))")
        }
        if rename(staging.path, bagURL.path) != 0 {
            throw .io(path: bagURL.path, message: "cannot move the new bag into place: \(String(cString: strerror(errno)))")
        }
        try? manager.removeItem(at: old)
        let payload = bag.files.filter { $0.path.hasPrefix("data/") }
        return ArchiveResult(
            folder: target, commit: context.commit.id, tag: tag, payloadFiles: payload.count, payloadBytes: payload.reduce(0) { $0 + $1.bytes.count },
            doi: context.testDOI)
    }
}
