import Bibliography
import ContentHash
import Foundation
import WorkflowModel

/// One file of the bag's payload: its path under the bag, its bytes, and where it came from in the trail.
public struct PayloadFile: Sendable, Equatable {
    /// Path relative to the bag, starting `data/`.
    public var path: String
    public var bytes: [UInt8]
    /// One line for the ReadMe's file list and the deposit's file description.
    public var description: String
    /// The MIME type.
    public var encodingFormat: String
    /// The trail path it was taken (or derived) from, when it comes from the trail.
    public var trailPath: String?
    /// True when the bytes are the trail file's bytes unchanged.
    public var verbatim: Bool
    /// The bytes' SHA-256 and SHA-512 once computed (`Bag.digests`), so that no file is hashed twice.
    public var digests: PayloadDigests? = nil

    public var sha256: String { digests?.sha256 ?? FileHasher.sha256(bytes: bytes) }
}

/// The SHA-256 and SHA-512 (lowercase hex) of a file's bytes.
public struct PayloadDigests: Sendable, Equatable {
    public var sha256: String
    public var sha512: String
}

/// Maps the files of the trail's last snapshot to the payload paths of DESIGN.md's table.
public enum PayloadMap {
    /// The stage folders, as DESIGN.md lays them out.
    static let question = "stages/1-question/"
    static let search = "stages/2-search/"
    static let selection = "stages/3-selection/"
    static let charting = "stages/4-charting/"
    static let collating = "stages/5-collating/"

    static func mime(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": "text/csv"
        case "json": "application/json"
        case "jsonl": "application/jsonl"
        case "txt", "md": "text/plain"
        case "svg": "image/svg+xml"
        case "html": "text/html"
        case "xml": "application/xml"
        case "bundle": "application/x-git"
        default: "application/octet-stream"
        }
    }

    /// The payload files the snapshot holds (without the ReadMe, the codebook, the crate and the bundle), sorted by path.
    public static func files(from trail: TrailSnapshot) throws(ArchiveError) -> [PayloadFile] {
        var out: [PayloadFile] = []
        func copy(_ trailPath: String, to payloadPath: String, _ description: String) throws(ArchiveError) {
            guard let bytes = try trail.bytes(trailPath) else { return }
            out.append(
                PayloadFile(path: payloadPath, bytes: bytes, description: description, encodingFormat: mime(payloadPath), trailPath: trailPath, verbatim: true))
        }
        try copy("workflow.json", to: "data/workflow/workflow.json", "the declared workflow the runner executed (stages, steps, inputs, outputs)")
        try copy(question + "out/protocol.json", to: "data/protocol/protocol.json", "the validated protocol: question, eligibility criteria, databases, search dates")
        try copy(question + "out/search-strategy.txt", to: "data/search/search-strategy.txt", "the verbatim search strategy per database")
        if let bytes = try trail.bytes(search + "out/unique.jsonl") {
            out.append(
                PayloadFile(
                    path: "data/records/unique.csv", bytes: try flatten(recordsJSONLines: bytes, name: search + "out/unique.jsonl"),
                    description: "the records after deduplication, one per duplicate cluster (unique.jsonl flattened to CSV)", encodingFormat: "text/csv",
                    trailPath: search + "out/unique.jsonl", verbatim: false))
        }
        try copy(search + "out/duplicates.csv", to: "data/records/duplicates.csv", "every imported record with its duplicate cluster and whether it was kept")
        try copy(search + "out/identification.json", to: "data/records/identification.json", "records identified per database, format and export file")
        for path in trail.paths(under: selection + "decisions/") where path.hasSuffix(".csv") && !path.dropFirst((selection + "decisions/").count).contains("/") {
            let name = String(path.dropFirst((selection + "decisions/").count))
            try copy(path, to: "data/screening/\(name)", "one reviewer's screening decisions in one phase (\(name.dropLast(4)))")
        }
        for path in trail.paths(under: selection + "out/") {
            let name = String(path.dropFirst((selection + "out/").count))
            if name.hasPrefix("final-") && name.hasSuffix(".csv") {
                try copy(path, to: "data/screening/\(name)", "the final decision per record in phase \(name.dropFirst(6).dropLast(4)), with its basis")
            } else if name.hasPrefix("agreement-") && name.hasSuffix(".json") {
                try copy(path, to: "data/screening/\(name)", "agreement between the two reviewers in phase \(name.dropFirst(10).dropLast(5)) (Cohen's kappa)")
            }
        }
        try copy(charting + "out/charted.csv", to: "data/charting/charted.csv", "the charted data: one row per included study, one column per codebook variable")
        let report: [(String, String)] = [
            ("PRISMA.csv", "PRISMA flow counts"), ("prisma-flow.svg", "the PRISMA flow diagram"),
            ("prisma-scr.csv", "PRISMA-ScR checklist status and location per item"), ("report.html", "the review's report"),
            ("comparison.csv", "each figure the paper reports beside the figure derived from this review's data"),
        ]
        for (name, description) in report { try copy(collating + "out/" + name, to: "data/report/\(name)", description) }
        for folder in ["tables", "figures"] {
            for path in trail.paths(under: collating + "out/\(folder)/") {
                let name = String(path.dropFirst((collating + "out/\(folder)/").count))
                try copy(path, to: "data/report/\(folder)/\(name)", folder == "tables" ? "summary table \(name)" : "figure \(name)")
            }
        }
        var seen: [String: String] = [:]
        for file in out {
            if let first = seen[file.path] {
                throw .trail("\(first) and \(file.trailPath ?? "") would both be packed as \(file.path); rename one of them")
            }
            seen[file.path] = file.trailPath ?? ""
        }
        return out.sorted { $0.path < $1.path }
    }

    /// unique.jsonl as CSV in Bibliography's export layout (Rayyan's columns, then ReviewTrail's; `key` is the record id).
    public static func flatten(recordsJSONLines bytes: [UInt8], name: String) throws(ArchiveError) -> [UInt8] {
        var records: [Record] = []
        do {
            var reader = try RecordReader(data: Data(bytes), fileName: name, options: ReadOptions(format: .jsonLines, strict: true))
            while let record = try reader.next() { records.append(record) }
        } catch {
            throw .trail("\(name) in the trail cannot be read: \(error)")
        }
        return Array(RecordWriter.csv(records))
    }
}
