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
    var malformedLine = 0
    var message = ""

    static func record(_ record: Record) -> ParseOutcome {
        ParseOutcome(record: record)
    }

    static func malformed(line: Int, message: String) -> ParseOutcome {
        ParseOutcome(record: nil, malformedLine: line, message: message)
    }
}

/// A pull parser over one export's bytes.
protocol FormatParser {
    mutating func next() -> ParseOutcome?
    /// The offset before which the parser will not read again (0 when it cannot say).
    var consumed: Int { get }
}

extension FormatParser {
    var consumed: Int { 0 }
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
    /// The bytes the parser reads; pages it has passed are released as it goes.
    private let buffer: ByteBuffer
    private var releaseAt = 0
    private let options: ReadOptions
    private let stem: String
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
        let text = DecodedText.decode(buffer, file: fileName)
        guard let format = options.format ?? RecordFormat.detect(text.bytes, start: text.start, end: text.end) else {
            if Bytes.isBlank(text.bytes, text.start..<text.end) || text.start == text.end {
                self.init(
                    file: fileName, format: options.format ?? .ris, text: text, parser: EmptyParser(), options: options)
                return
            }
            throw .unknownFormat(file: fileName)
        }
        let parser: any FormatParser
        switch format {
        case .ris:
            let threads = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
            if threads > 1, text.end - text.start >= 4 * options.chunkSize {
                parser = ChunkedRISParser(
                    text: text, chunkSize: options.chunkSize, threads: threads, window: 2 * threads)
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
        self.init(file: fileName, format: format, text: text, parser: parser, options: options)
    }

    private init(file: String, format: RecordFormat, text: DecodedText, parser: any FormatParser, options: ReadOptions)
    {
        self.file = file
        self.format = format
        self.warnings = text.warnings
        self.parser = parser
        self.buffer = text.buffer
        self.options = options
        self.stem = RecordReader.stem(of: file)
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
            if outcome.record != nil {
                // Completed in place, then taken out of the outcome.
                if format != .jsonLines {
                    outcome.record?.id = "\(stem):\(position)"
                    outcome.record?.source.file = file
                    outcome.record?.source.format = format
                    if let database = options.database { outcome.record?.source.database = database }
                }
                recordCount += 1
                releasePassedPages()
                return outcome.record.take()
            }
            let line = outcome.malformedLine
            if options.strict { throw .malformedRecord(file: file, line: line, message: outcome.message) }
            issues.append(ReadIssue(file: file, line: line, message: outcome.message))
        }
        return nil
    }

    /// Hands back the pages the parser has passed, every 4 MiB of progress.
    private mutating func releasePassedPages() {
        let consumed = parser.consumed
        guard consumed >= releaseAt else { return }
        buffer.release(upTo: consumed)
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

/// A record with nothing filled in yet but where it starts.
func draftRecord(line: Int, format: RecordFormat, database: String? = nil) -> Record {
    Record(id: "", source: RecordSource(file: "", line: line, database: database, format: format))
}
