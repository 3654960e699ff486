import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes records as JSON Lines (ReviewTrail's own format), RIS (for EndNote, Zotero, Rayyan) or CSV
/// (Rayyan's import columns plus ReviewTrail's own), streaming through a buffer.
///
/// A writer to a URL writes a temporary file in the same folder and renames it into place in `finish()`;
/// if `finish()` is never called the temporary file is removed and the destination is left untouched.
public final class RecordWriter {
    /// Line endings for RIS output.
    public enum LineEnding: Sendable, Equatable {
        case lf, crlf

        var bytes: [UInt8] { self == .lf ? [0x0A] : [0x0D, 0x0A] }
    }

    private enum Kind {
        case jsonLines
        case ris(LineEnding)
        case csv
    }

    private let kind: Kind
    private var buffer: [UInt8] = []
    private var handle: FileHandle?
    private let destination: URL?
    private let temporary: URL?
    private let name: String
    private var finished = false
    /// Records written so far.
    public private(set) var count = 0

    private static let flushThreshold = 1 << 20

    private init(kind: Kind, handle: FileHandle?, destination: URL?, temporary: URL?, name: String) {
        self.kind = kind
        self.handle = handle
        self.destination = destination
        self.temporary = temporary
        self.name = name
        buffer.reserveCapacity(RecordWriter.flushThreshold + (1 << 16))
        if case .csv = kind { CSVEncoder.appendHeader(to: &buffer) }
    }

    deinit {
        if !finished, let temporary {
            try? handle?.close()
            try? FileManager.default.removeItem(at: temporary)
        }
    }

    private static func open(_ url: URL, kind: Kind) throws(BibliographyError) -> RecordWriter {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw .writeFailed(file: url.path, reason: "cannot create a temporary file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            return RecordWriter(kind: kind, handle: handle, destination: url, temporary: temporary, name: url.path)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(file: url.path, reason: "\(error)")
        }
    }

    /// A JSON Lines writer to a file (written atomically by `finish()`).
    /// - Throws: `BibliographyError.writeFailed` when the folder is not writable.
    public static func jsonLines(to url: URL) throws(BibliographyError) -> RecordWriter {
        try open(url, kind: .jsonLines)
    }

    /// A JSON Lines writer to an open file handle (`finish()` flushes but does not close it).
    public static func jsonLines(to handle: FileHandle) -> RecordWriter {
        RecordWriter(kind: .jsonLines, handle: handle, destination: nil, temporary: nil, name: "(file handle)")
    }

    /// A RIS writer to a file (written atomically by `finish()`).
    /// - Throws: `BibliographyError.writeFailed` when the folder is not writable.
    public static func ris(to url: URL, lineEnding: LineEnding = .lf) throws(BibliographyError) -> RecordWriter {
        try open(url, kind: .ris(lineEnding))
    }

    /// A RIS writer to an open file handle.
    public static func ris(to handle: FileHandle, lineEnding: LineEnding = .lf) -> RecordWriter {
        RecordWriter(kind: .ris(lineEnding), handle: handle, destination: nil, temporary: nil, name: "(file handle)")
    }

    /// A CSV writer to a file (written atomically by `finish()`).
    /// - Throws: `BibliographyError.writeFailed` when the folder is not writable.
    public static func csv(to url: URL) throws(BibliographyError) -> RecordWriter {
        try open(url, kind: .csv)
    }

    /// A CSV writer to an open file handle.
    public static func csv(to handle: FileHandle) -> RecordWriter {
        RecordWriter(kind: .csv, handle: handle, destination: nil, temporary: nil, name: "(file handle)")
    }

    /// Appends one record.
    /// - Throws: `BibliographyError.writeFailed` when flushing to the file fails or the writer was finished.
    public func write(_ record: Record) throws(BibliographyError) {
        guard !finished else { throw .writeFailed(file: name, reason: "the writer was already finished") }
        RecordWriter.encode(record, kind: kind, into: &buffer)
        count += 1
        if buffer.count >= RecordWriter.flushThreshold { try flush() }
    }

    /// Appends records already encoded as JSON Lines; only for a JSON Lines writer.
    /// - Throws: `BibliographyError.writeFailed` when the writer writes another format, was finished, or flushing
    ///   fails.
    public func write(_ encoded: EncodedJSONLines) throws(BibliographyError) {
        guard !finished else { throw .writeFailed(file: name, reason: "the writer was already finished") }
        guard case .jsonLines = kind else {
            throw .writeFailed(file: name, reason: "records encoded as JSON Lines given to a writer of another format")
        }
        buffer += encoded.bytes
        count += encoded.count
        if buffer.count >= RecordWriter.flushThreshold { try flush() }
    }

    /// Appends records in order.
    /// - Throws: `BibliographyError.writeFailed` when flushing to the file fails.
    public func write(contentsOf records: some Sequence<Record>) throws(BibliographyError) {
        for record in records { try write(record) }
    }

    /// Flushes the buffer; for a file destination, closes it and renames it into place.
    /// - Throws: `BibliographyError.writeFailed`.
    public func finish() throws(BibliographyError) {
        guard !finished else { return }
        try flush()
        finished = true
        guard let destination, let temporary else { return }
        do {
            try handle?.synchronize()
            try handle?.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(file: name, reason: "\(error)")
        }
        handle = nil
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(file: name, reason: reason)
        }
    }

    private func flush() throws(BibliographyError) {
        guard !buffer.isEmpty, let handle else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw .writeFailed(file: name, reason: "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func encode(_ record: Record, kind: Kind, into out: inout [UInt8]) {
        switch kind {
        case .jsonLines:
            CanonicalJSON.append(record, to: &out)
            out.append(0x0A)
        case let .ris(ending):
            RISEncoder.append(record, lineEnding: ending.bytes, to: &out)
        case .csv:
            CSVEncoder.append(record, to: &out)
        }
    }

    /// Records encoded as JSON Lines away from the writer, for instance on the thread that read them
    /// (`RecordReader.forEachBatch`), then written in order by `write(_:)`.
    public struct EncodedJSONLines: Sendable {
        let bytes: [UInt8]
        /// How many records the bytes hold.
        public let count: Int

        /// Encodes records, one canonical JSON object per line.
        public init(_ records: [Record]) {
            var out: [UInt8] = []
            for r in records { RecordWriter.encode(r, kind: .jsonLines, into: &out) }
            bytes = out
            count = records.count
        }
    }

    /// JSON Lines bytes for records: one canonical JSON object per line, each ending with LF.
    public static func jsonLines(_ records: some Sequence<Record>) -> Data {
        var out: [UInt8] = []
        for r in records { encode(r, kind: .jsonLines, into: &out) }
        return Data(out)
    }

    /// The canonical JSON of one record, without the line feed.
    public static func jsonLine(_ record: Record) -> String {
        var out: [UInt8] = []
        CanonicalJSON.append(record, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// RIS bytes for records.
    public static func ris(_ records: some Sequence<Record>, lineEnding: LineEnding = .lf) -> Data {
        var out: [UInt8] = []
        for r in records { encode(r, kind: .ris(lineEnding), into: &out) }
        return Data(out)
    }

    /// CSV bytes for records, header included.
    public static func csv(_ records: some Sequence<Record>) -> Data {
        var out: [UInt8] = []
        CSVEncoder.appendHeader(to: &out)
        for r in records { encode(r, kind: .csv, into: &out) }
        return Data(out)
    }
}

/// RIS output: the canonical fields as standard tags, then (for records read from RIS) the original tags that the
/// canonical fields do not already carry, so a RIS → RIS round trip keeps everything.
enum RISEncoder {
    private static let replacedTags: Set<String> = [
        "TY", "ER", "ID", "TI", "AU", "A1", "PY", "VL", "IS", "SP", "EP", "DO", "SN", "KW", "LA", "UR", "N1", "DB",
    ]
    private static let titleTags: Set<String> = ["T1", "CT", "BT"]
    private static let journalTags: Set<String> = ["JF", "JO", "JA", "J2", "J1", "T2"]

    static func append(_ r: Record, lineEnding: [UInt8], to out: inout [UInt8]) {
        func line(_ tag: String, _ value: String) {
            var lines: [Substring] = value.split(
                omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            if lines.isEmpty { lines = [""] }
            out.append(contentsOf: tag.utf8)
            out.append(contentsOf: "  - ".utf8)
            out.append(contentsOf: lines[0].utf8)
            out.append(contentsOf: lineEnding)
            for more in lines.dropFirst() {
                if looksLikeTag(more) || more.first == " " { out.append(0x20) }
                out.append(contentsOf: more.utf8)
                out.append(contentsOf: lineEnding)
            }
        }
        line("TY", r.type ?? "GEN")
        if let v = r.sourceID { line("ID", v) }
        if let v = r.title { line("TI", v) }
        for a in r.authors { line("AU", a.displayName) }
        if let v = r.year { line("PY", String(v)) }
        if let v = r.journal { line("T2", v) }
        if let v = r.volume { line("VL", v) }
        if let v = r.issue { line("IS", v) }
        if let v = r.pages?.start { line("SP", v) }
        if let v = r.pages?.end {
            line("EP", v)
        } else if let v = r.pages?.start, v.contains("-") || v.contains("\u{2013}") {
            // An empty EP keeps a start page such as `S21-1` from being read back as a range.
            line("EP", "")
        }
        if let v = r.doi { line("DO", v) }
        for v in r.dois { line("DO", v) }
        var pmidTag: String?
        if let pmid = r.pmid {
            // EndNote writes a PubMed record's PMID as AN (its ID carries the record number); Scopus uses C2.
            pmidTag = r.sourceID != nil && RISMapping.mentionsPubMed(r.source.database ?? "") ? "AN" : "C2"
            line(pmidTag ?? "C2", pmid)
        }
        for v in r.issn { line("SN", v) }
        for v in r.isbn { line("SN", v) }
        if let v = r.abstract { line("AB", v) }
        for v in r.keywords { line("KW", v) }
        if let v = r.language { line("LA", v) }
        for v in r.urls { line("UR", v) }
        if let v = r.notes { line("N1", v) }
        if let v = r.source.database { line("DB", v) }
        if r.source.format == .ris {
            for f in r.raw where f.tag.utf8.count == 2 && !replacedTags.contains(f.tag) && f.tag != pmidTag {
                let value = Text.inline(f.value)
                if titleTags.contains(f.tag) && value == r.title { continue }
                if journalTags.contains(f.tag) && value == r.journal { continue }
                if (f.tag == "AB" || f.tag == "N2") && Text.multiline(f.value) == r.abstract { continue }
                if (f.tag == "AN" || f.tag == "C2") && value == r.pmid { continue }
                line(f.tag, f.value)
            }
        }
        out.append(contentsOf: "ER  - ".utf8)
        out.append(contentsOf: lineEnding)
        out.append(contentsOf: lineEnding)
    }

    private static func looksLikeTag(_ s: Substring) -> Bool {
        let u = Array(s.utf8.prefix(5))
        guard u.count == 5 else { return false }
        return Bytes.isUpper(u[0]) && (Bytes.isUpper(u[1]) || Bytes.isDigit(u[1])) && u[2] == 0x20 && u[3] == 0x20
            && u[4] == 0x2D
    }
}

/// CSV output in Rayyan's import layout (key, title, authors, journal, issn, volume, issue, pages, year, url,
/// language, abstract, notes, pubmed_id) plus ReviewTrail's remaining fields; lists are joined with `; `
/// (URLs and DOIs with a space). `key` is the ReviewTrail id, so decisions exported from Rayyan trace back.
enum CSVEncoder {
    static let columns = [
        "key", "title", "authors", "journal", "issn", "volume", "issue", "pages", "year", "url", "language", "abstract",
        "notes", "pubmed_id", "doi", "dois", "isbn", "keywords", "type", "database", "source_id", "start_page",
        "end_page",
    ]

    static func appendHeader(to out: inout [UInt8]) {
        row(columns, &out)
    }

    static func append(_ r: Record, to out: inout [UInt8]) {
        let values: [String] = [
            r.id,
            r.title ?? "",
            r.authors.map(\.displayName).joined(separator: "; "),
            r.journal ?? "",
            r.issn.joined(separator: "; "),
            r.volume ?? "",
            r.issue ?? "",
            r.pages?.displayString ?? "",
            r.year.map(String.init) ?? "",
            r.urls.joined(separator: " "),
            r.language ?? "",
            r.abstract ?? "",
            r.notes ?? "",
            r.pmid ?? "",
            r.doi ?? "",
            r.dois.joined(separator: " "),
            r.isbn.joined(separator: "; "),
            r.keywords.joined(separator: "; "),
            r.type ?? "",
            r.source.database ?? "",
            r.sourceID ?? "",
            r.pages?.start ?? "",
            r.pages?.end ?? "",
        ]
        row(values, &out)
    }

    private static func row(_ values: [String], _ out: inout [UInt8]) {
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(0x2C) }
            let u = v.utf8
            let needsQuotes =
                u.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || u.first == 0x20 || u.last == 0x20
            if needsQuotes {
                out.append(0x22)
                for c in u {
                    if c == 0x22 { out.append(0x22) }
                    out.append(c)
                }
                out.append(0x22)
            } else {
                out.append(contentsOf: u)
            }
        }
        out.append(0x0A)
    }
}
