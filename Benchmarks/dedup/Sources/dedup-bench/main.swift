import Bibliography
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// dedup-bench EXPORT CLUSTERS.tsv [THRESHOLD] [--link-notices]
// Imports EXPORT (any format the product reads, e.g. bib-dedupe's records_pre_merged.csv), deduplicates it and
// writes `source_id<TAB>kept_source_id` for every record. Prints one line:
// `records=N unique=U clusters=C pairs=P import_s=… dedup_s=… total_s=… peak_rss_mib=…`.
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: dedup-bench EXPORT CLUSTERS.tsv [THRESHOLD] [--link-notices]\n".utf8))
    exit(2)
}

/// Peak resident memory of this process in MiB (VmHWM of /proc/self/status).
func peakMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
        return kb / 1024
    }
    return -1
}

do {
    var options = DedupOptions()
    for extra in arguments.dropFirst(2) {
        if let t = Double(extra) { options.threshold = t }
        if extra == "--link-notices" { options.linkNotices = true }
    }
    let start = Date()
    var reader = try RecordReader(contentsOf: URL(fileURLWithPath: arguments[0]))
    var records: [Record] = []
    while let r = try reader.next() { records.append(r) }
    let imported = Date()
    let result = try Deduplicator.run(records, options: options)
    let done = Date()
    var keptOf: [String: String] = [:]
    for row in result.rows where row.kept { keptOf[row.recordID] = row.recordID }
    var cluster = 0
    var kept = ""
    for row in result.rows {
        if row.cluster != cluster {
            cluster = row.cluster
            kept = row.recordID
        }
        keptOf[row.recordID] = kept
    }
    var out = "source_id\tkept_source_id\n"
    let sourceOf = Dictionary(records.map { ($0.id, $0.sourceID ?? $0.id) }, uniquingKeysWith: { a, _ in a })
    for r in records {
        let k = keptOf[r.id] ?? r.id
        out += "\(r.sourceID ?? r.id)\t\(sourceOf[k] ?? k)\n"
    }
    try Data(out.utf8).write(to: URL(fileURLWithPath: arguments[1]))
    let f = { (x: Double) in String(format: "%.3f", x) }
    print(
        "records=\(records.count) unique=\(result.unique.count) clusters=\(result.clusters) pairs=\(result.candidatePairs) "
            + "import_s=\(f(imported.timeIntervalSince(start))) dedup_s=\(f(done.timeIntervalSince(imported))) "
            + "total_s=\(f(done.timeIntervalSince(start))) peak_rss_mib=\(String(format: "%.0f", peakMiB()))")
} catch {
    FileHandle.standardError.write(Data("dedup-bench: \(error)\n".utf8))
    exit(1)
}
