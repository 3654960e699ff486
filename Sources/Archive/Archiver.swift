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
    /// written, and no tag made, when the metadata is incomplete).
    public func build() throws(ArchiveError) -> (bag: Bag, context: ArchiveContext, tag: String) {
        let metadata = try ArchiveMetadata.from(folder.workflow)
        let trail = try TrailSnapshot.read(folder)
        let context = ArchiveContext(
            metadata: metadata, workflow: folder.workflow, commit: trail.commit, runs: trail.runs, runnerVersion: runnerVersion,
            snapshotFiles: trail.manifest.files)
        var payload = try PayloadMap.files(from: trail)
        // libgit2's packbuilder writes tagged commits first, so the tag goes on before the pack is built: the
        // first and every later archive of this commit then see the same tags and get the same bundle bytes.
        let tag = try trail.tagArchive()
        let bundleURL = FileManager.default.temporaryDirectory.appendingPathComponent("reviewtrail-\(getpid())-\(UUID().uuidString).bundle")
        defer { try? FileManager.default.removeItem(at: bundleURL) }
        try trail.writeBundle(to: bundleURL)
        let bundle: [UInt8]
        do { bundle = Array(try Data(contentsOf: bundleURL)) } catch { throw .io(path: bundleURL.path, message: "cannot read the bundle: \(error)") }
        payload.append(
            PayloadFile(
                path: "data/audit/trail.bundle", bytes: bundle,
                description: "the audit trail: a git bundle of HEAD and branch \(folder.workflow.trail.branch) at \(trail.commit.id.prefix(8)); open it with git clone",
                encodingFormat: "application/x-git", trailPath: nil, verbatim: false))
        let csvFiles = payload.filter { $0.path.hasSuffix(".csv") }
        let codebook = PayloadFile(
            path: "data/charting/codebook.csv", bytes: Codebook.build(csvFiles: csvFiles, chartingCodebook: try trail.bytes("stages/4-charting/codebook.json")),
            description: "the codebook: one row per variable of every CSV file in this package", encodingFormat: "text/csv", trailPath: nil, verbatim: false)
        payload.append(codebook)
        let readmeEntry = (path: "data/00_README.txt", description: "this file: the dataset's ReadMe (DataverseNO template)")
        let crateEntry = (path: "data/ro-crate-metadata.json", description: "RO-Crate 1.1 metadata with Process Run Crate 0.5 provenance: one CreateAction per step run")
        let listed = ([readmeEntry, crateEntry] + payload.map { (path: $0.path, description: $0.description) }).sorted { $0.path < $1.path }
        let tables = payload.filter { $0.path.hasSuffix(".csv") }.sorted { $0.path < $1.path }
        payload.append(
            PayloadFile(
                path: readmeEntry.path, bytes: Array(ReadMe.text(context, files: listed, tables: tables).utf8), description: readmeEntry.description,
                encodingFormat: "text/plain", trailPath: nil, verbatim: false))
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
        let bag = Bag(
            payload: payload, bagInfo: bagInfo,
            tagFiles: [Serialization.Entry(path: "metadata/datacite.xml", bytes: Array(DataCite.xml(context).utf8))])
        return (bag, context, tag)
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
        let zip = try Serialization.zip(entries, time: context.commit.time)
        let tar = try Serialization.tar(entries, time: context.commit.time)
        let dataset = CanonicalJSON.pretty(DataverseDataset.value(context))
        do {
            try AtomicFile.write(zip, to: target.appendingPathComponent("bag.zip"))
            try AtomicFile.write(tar, to: target.appendingPathComponent("bag.tar"))
            try AtomicFile.write(dataset, to: target.appendingPathComponent("dataverse-dataset.json"))
        } catch { throw .runner(error) }
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
