import ContentHash
import Foundation
import RunnerCore
import WorkflowModel

/// What every generated file of the archive is derived from: the metadata, the packed commit and the identifiers.
public struct ArchiveContext: Sendable {
    public var metadata: ArchiveMetadata
    public var workflow: Workflow
    public var commit: SnapshotCommit
    public var runs: [StepRun]
    public var runnerVersion: String
    /// The files of the packed snapshot with their SHA-256 and size (its manifest).
    public var snapshotFiles: [FileDigest]

    public init(
        metadata: ArchiveMetadata, workflow: Workflow, commit: SnapshotCommit, runs: [StepRun], runnerVersion: String, snapshotFiles: [FileDigest]
    ) {
        self.snapshotFiles = snapshotFiles
        self.metadata = metadata
        self.workflow = workflow
        self.commit = commit
        self.runs = runs
        self.runnerVersion = runnerVersion
    }

    /// DataCite's test prefix and the first 8 hex digits of the packed commit: a placeholder until Dataverse assigns a DOI.
    public var testDOI: String { "10.5072/FK2/\(commit.id.prefix(8).uppercased())" }

    /// A UUID derived from the packed commit (SHA-256 of a fixed prefix and the commit id; RFC 9562 version 8).
    public var externalIdentifier: String {
        var bytes = Array(FileHasher.sha256(bytes: Array("reviewtrail-archive:\(commit.id)".utf8)).utf8.prefix(32))
        bytes[12] = UInt8(ascii: "8")
        let variant = "89ab"
        let nibble = Int(String(UnicodeScalar(bytes[16])), radix: 16) ?? 0
        bytes[16] = Array(variant.utf8)[nibble % 4]
        let hex = String(decoding: bytes, as: UTF8.self)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20).prefix(12)]
        return "urn:uuid:" + parts.joined(separator: "-")
    }

    /// The digest the packed snapshot's manifest records for a path.
    func digestOfTrailFile(_ path: String) -> FileDigest? { snapshotFiles.first { $0.path == path } }

    /// `YYYY-MM-DD` of a time in UTC.
    static func day(_ seconds: Int64) -> String { String(iso(seconds).prefix(10)) }

    /// `YYYY-MM-DDThh:mm:ss+00:00` (the form roc-validator accepts).
    static func iso(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d+00:00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// The packing day, `YYYY-MM-DD`.
    public var packedDay: String { Self.day(commit.time) }
    /// The packing year.
    public var packedYear: String { String(packedDay.prefix(4)) }

    /// The organisation that packs the review: the contact author's affiliation, else the first author's.
    public var organization: String {
        let contactAuthor = metadata.authors.first { $0.name == metadata.contact.name }
        return contactAuthor?.affiliation ?? metadata.authors.compactMap(\.affiliation).first ?? metadata.contact.name
    }
}
