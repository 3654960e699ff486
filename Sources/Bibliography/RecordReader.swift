import Foundation

/// How to read an export: the format (detected when nil), the database to record, a CSV column map, strictness.
public struct ReadOptions: Sendable, Equatable {
    /// The format to use instead of detecting it from the content.
    public var format: RecordFormat?
    /// The database to record in every record's `source.database`, instead of what the export says.
    public var database: String?
    /// For CSV: which column feeds which field, on top of the columns recognised by name.
    public var columnMap: ColumnMap?
    /// Throw `BibliographyError.malformedRecord` at the first malformed record instead of skipping it.
    public var strict: Bool
    /// How many threads parse a large RIS export (nil: one per active core; 1: read on the calling thread only).
    /// The records, their ids and lines, and the issues are the same whatever the number.
    public var threads: Int?
    /// About how many bytes of a RIS export one thread parses at a time; exports under four chunks are read on the
    /// calling thread.
    var chunkSize = 1 << 20

    /// Creates options; the defaults detect the format, skip malformed records and use every core on large RIS.
    public init(
        format: RecordFormat? = nil, database: String? = nil, columnMap: ColumnMap? = nil, strict: Bool = false,
        threads: Int? = nil
    ) {
        self.format = format
        self.database = database
        self.columnMap = columnMap
        self.strict = strict
        self.threads = threads
    }
}

/// Everything read from one export: the records, the malformed records skipped, and warnings.
public struct ReadResult: Sendable, Equatable {
    public var file: String
    public var format: RecordFormat
    public var records: [Record]
    /// One issue per skipped malformed record.
    public var issues: [ReadIssue]
    public var warnings: [ReadWarning]

    /// How many malformed records were skipped.
    public var skipped: Int { issues.count }
}

/// What a format parser yields: a record (id and file still to be filled in) or a malformed record to count.
/// A struct rather than an enum, so the reader can move the record out without copying it.
struct ParseOutcome {
    var record: Record?
    /// The 1-based line of a malformed record; 0 for a record.
    var malformedLine = 0
    var message = ""

    static func record(_ record: consuming Record) -> ParseOutcome {
        ParseOutcome(record: record)
    }

    static func malformed(line: Int, message: String) -> ParseOutcome {
        ParseOutcome(record: nil, malformedLine: max(1, line), message: message)
    }
}

/// A pull parser over one export's bytes.
protocol FormatParser {
    mutating func next() -> ParseOutcome?
    /// The offset before which the parser will not read again (0 when it cannot say).
    var consumed: Int { get }
    /// True when the outcomes come with ids, file and lines already filled in (`RecordCompletion`).
    var completesRecords: Bool { get }
}

extension FormatParser {
    var consumed: Int { 0 }
    var completesRecords: Bool { false }
}

/// What the reader fills into every record a parser yields: its id, file, format and database, and its line
/// within the whole export.
struct RecordCompletion: Sendable {
    let stem: String
    let file: String
    let format: RecordFormat
    /// The database to record instead of what the export says.
    let database: String?

    init(file: String, format: RecordFormat, database: String?) {
        self.stem = RecordReader.stem(of: file)
        self.file = file
        self.format = format
        self.database = database
    }

    /// Completes the outcome found at `position` (1-based, malformed records counted) of a text whose first line is
    /// line `lineBase + 1` of the export.
    func complete(_ outcome: inout ParseOutcome, position: Int, lineBase: Int) {
        // A malformed outcome has a line and no record; the record is changed in place through `!`, not copied.
        guard outcome.malformedLine == 0 else {
            outcome.malformedLine += lineBase
            return
        }
        // JSON Lines records carry their own ids and sources.
        guard format != .jsonLines else { return }
        fill(&outcome.record!, position: position, lineBase: lineBase)
    }

    private func fill(_ record: inout Record, position: Int, lineBase: Int) {
        record.id = RecordCompletion.id(stem: stem, position: position)
        record.source.file = file
        record.source.format = format
        record.source.line += lineBase
        if let database { record.source.database = database }
    }

    /// `<stem>:<position>`, written straight into the string's storage (an interpolation costs several times more,
    /// and every record has one).
    static func id(stem: String, position: Int) -> String {
        var stem = stem
        return stem.withUTF8 { prefix in
            var digits = 1
            var rest = position / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            let count = prefix.count + 1 + digits
            return String(unsafeUninitializedCapacity: count) { out in
                _ = out.initialize(from: prefix)
                out[prefix.count] = 0x3A
                var value = position
                for k in stride(from: count - 1, through: count - digits, by: -1) {
                    out[k] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                    value /= 10
                }
                return count
            }
        }
    }

    func issue(_ outcome: ParseOutcome) -> ReadIssue {
        ReadIssue(file: file, line: outcome.malformedLine, message: outcome.message)
    }
}

/// Reads the records of one export one at a time, so a large file never has to be held as records.
///
/// ```swift
/// var reader = try RecordReader(contentsOf: url)
/// while let record = try reader.next() { … }
/// print(reader.issues)  // the malformed records that were skipped
/// ```
public struct RecordReader {
    /// The file name recorded in `source.file` and in issues.
    public let file: String
    /// The format used (detected or given).
    public let format: RecordFormat
    /// Warnings about the whole file (such as a Windows-1252 fallback).
    public let warnings: [ReadWarning]
    /// Malformed records skipped so far.
    public private(set) var issues: [ReadIssue] = []
    /// Records returned so far.
    public private(set) var recordCount = 0

    private var parser: any FormatParser
    /// The text the parser reads; pages it has passed are released as it goes.
    private let text: DecodedText
    private var releaseAt = 0
    private let options: ReadOptions
    private let completion: RecordCompletion
    /// Chunk size and threads when a large RIS export is parsed on several threads.
    private let chunking: (size: Int, threads: Int)?
    private var position = 0

    /// Opens an export file.
    /// - Parameters:
    ///   - url: the file to read.
    ///   - fileName: the name to record in `source.file` (for instance the path relative to the review);
    ///     defaults to the file's last path component. Record ids use its stem.
    ///   - options: format override, database, column map, strictness.
    /// - Throws: `BibliographyError.unreadable`, `.unknownFormat`, `.missingColumn`.
    public init(contentsOf url: URL, fileName: String? = nil, options: ReadOptions = ReadOptions())
        throws(BibliographyError)
    {
        let name = fileName ?? url.lastPathComponent
        let buffer = try ByteBuffer.read(path: url.path, displayName: name)
        try self.init(buffer: buffer, fileName: name, options: options)
    }

    /// Reads an export held in memory.
    /// - Parameters:
    ///   - data: the export's bytes.
    ///   - fileName: the name to record in `source.file`; record ids use its stem.
    ///   - options: format override, database, column map, strictness.
    /// - Throws: `BibliographyError.unknownFormat`, `.missingColumn`.
    public init(data: Data, fileName: String, options: ReadOptions = ReadOptions()) throws(BibliographyError) {
        try self.init(buffer: ByteBuffer(data: data), fileName: fileName, options: options)
    }

    private init(buffer: ByteBuffer, fileName: String, options: ReadOptions) throws(BibliographyError) {
        let threads = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let text = DecodedText.decode(buffer, file: fileName, threads: threads)
        guard let format = options.format ?? RecordFormat.detect(text.bytes, start: text.start, end: text.end) else {
            if Bytes.isBlank(text.bytes, text.start..<text.end) || text.start == text.end {
                self.init(
                    file: fileName, format: options.format ?? .ris, text: text, parser: EmptyParser(), options: options)
                return
            }
            throw .unknownFormat(file: fileName)
        }
        let parser: any FormatParser
        var chunking: (size: Int, threads: Int)?
        let completion = RecordCompletion(file: fileName, format: format, database: options.database)
        switch format {
        case .ris:
            if threads > 1, text.end - text.start >= 4 * options.chunkSize {
                chunking = (options.chunkSize, threads)
                parser = ChunkedRISParser(
                    text: text, chunkSize: options.chunkSize, threads: threads, window: 2 * threads,
                    completion: completion)
            } else {
                parser = RISParser(text: text)
            }
        case .medline: parser = MedlineParser(text: text)
        case .wos: parser = WoSParser(text: text)
        case .wosTab:
            parser = try CSVRecordParser(text: text, file: fileName, layout: .wosTab, columnMap: options.columnMap)
        case .csv: parser = try CSVRecordParser(text: text, file: fileName, layout: nil, columnMap: options.columnMap)
        case .endnoteXML: parser = EndNoteXMLParser(text: text)
        case .bibtex: parser = BibTeXParser(text: text)
        case .jsonLines: parser = JSONLinesParser(text: text)
        }
        self.init(
            file: fileName, format: format, text: text, parser: parser, options: options, chunking: chunking)
    }

    private init(
        file: String, format: RecordFormat, text: DecodedText, parser: any FormatParser, options: ReadOptions,
        chunking: (size: Int, threads: Int)? = nil
    ) {
        self.file = file
        self.format = format
        self.warnings = text.warnings
        self.parser = parser
        self.text = text
        self.options = options
        self.completion = RecordCompletion(file: file, format: format, database: options.database)
        self.chunking = chunking
    }

    /// The stem used in record ids: the last path component without its extension.
    public static func stem(of fileName: String) -> String {
        let last = fileName.split(separator: "/").last.map(String.init) ?? fileName
        if let dot = last.lastIndex(of: "."), dot != last.startIndex { return String(last[..<dot]) }
        return last
    }

    /// The next record, skipping (and counting in `issues`) malformed ones.
    /// - Returns: nil at the end of the file.
    /// - Throws: `BibliographyError.malformedRecord` at the first malformed record when reading strictly.
    public mutating func next() throws(BibliographyError) -> Record? {
        while var outcome = parser.next() {
            position += 1
            // Completed in place, then taken out of the outcome.
            if !parser.completesRecords { completion.complete(&outcome, position: position, lineBase: 0) }
            if outcome.record != nil {
                recordCount += 1
                releasePassedPages(upTo: parser.consumed)
                return outcome.record.take()
            }
            let issue = completion.issue(outcome)
            if options.strict { throw .malformedRecord(file: file, line: issue.line, message: issue.message) }
            issues.append(issue)
        }
        return nil
    }

    /// Reads the remaining records in batches of consecutive records: `transform` runs on the thread that parsed
    /// the batch, `consume` on the calling thread, in file order.
    ///
    /// A large RIS export is parsed in chunks on several threads (`ReadOptions.threads`), and each chunk's batch is
    /// transformed where it was parsed, so its records are made, used and freed on one thread. Anything else is read
    /// on the calling thread in batches of 1,000. Malformed records are counted in `issues` as by `next()`; reading
    /// strictly, the error is thrown after `consume` has had the records before the malformed one.
    public mutating func forEachBatch<Value>(
        _ transform: @escaping @Sendable (_ records: [Record]) -> Value,
        consume: (Value) throws(BibliographyError) -> Void
    ) throws(BibliographyError) {
        guard position == 0, let chunking else {
            var batch: [Record] = []
            do {
                while let record = try next() {
                    batch.append(record)
                    if batch.count == 1_000 {
                        try consume(transform(batch))
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            } catch {
                if !batch.isEmpty { try consume(transform(batch)) }
                throw error
            }
            if !batch.isEmpty { try consume(transform(batch)) }
            return
        }
        parser = EmptyParser()
        let strict = options.strict
        let completion = completion
        var pipeline = RISChunkPipeline<RecordBatch<Value>>(
            text: text, chunkSize: chunking.size, threads: chunking.threads, window: 2 * chunking.threads,
            completion: completion
        ) { outcomes, _ in
            var records: [Record] = []
            records.reserveCapacity(outcomes.count)
            var issues: [ReadIssue] = []
            for i in outcomes.indices {
                if let record = outcomes[i].record.take() {
                    records.append(record)
                } else {
                    issues.append(completion.issue(outcomes[i]))
                    if strict { break }
                }
            }
            outcomes = []
            let count = records.count
            return RecordBatch(value: transform(records), records: count, issues: issues)
        }
        while let (start, batch) = pipeline.next() {
            try consume(batch.value)
            recordCount += batch.records
            if strict, let first = batch.issues.first {
                throw .malformedRecord(file: file, line: first.line, message: first.message)
            }
            issues += batch.issues
            releasePassedPages(upTo: start)
        }
    }

    /// Hands back the pages before `consumed`, every 4 MiB of progress.
    private mutating func releasePassedPages(upTo consumed: Int) {
        guard consumed >= releaseAt else { return }
        text.buffer.release(upTo: consumed)
        releaseAt = consumed + (4 << 20)
    }

    /// Reads the remaining records into a `ReadResult`.
    public mutating func readAll() throws(BibliographyError) -> ReadResult {
        var records: [Record] = []
        while let record = try next() { records.append(record) }
        return ReadResult(file: file, format: format, records: records, issues: issues, warnings: warnings)
    }

    /// Reads a whole export file.
    /// - Throws: as `init(contentsOf:fileName:options:)` and `next()`.
    public static func read(contentsOf url: URL, fileName: String? = nil, options: ReadOptions = ReadOptions())
        throws(BibliographyError) -> ReadResult
    {
        var reader = try RecordReader(contentsOf: url, fileName: fileName, options: options)
        return try reader.readAll()
    }

    /// Reads a whole export held in memory.
    /// - Throws: as `init(data:fileName:options:)` and `next()`.
    public static func read(data: Data, fileName: String, options: ReadOptions = ReadOptions())
        throws(BibliographyError)
        -> ReadResult
    {
        var reader = try RecordReader(data: data, fileName: fileName, options: options)
        return try reader.readAll()
    }
}

private struct EmptyParser: FormatParser {
    mutating func next() -> ParseOutcome? { nil }
}

/// What a worker made of one chunk's records, with the chunk's counts.
private struct RecordBatch<Value> {
    let value: Value
    let records: Int
    let issues: [ReadIssue]
}

/// A record with nothing filled in yet but where it starts.
@inline(__always) func draftRecord(line: Int, format: RecordFormat, database: String? = nil) -> Record {
    Record(id: "", source: RecordSource(file: "", line: line, database: database, format: format))
}
