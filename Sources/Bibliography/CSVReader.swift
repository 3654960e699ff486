import Foundation

/// A canonical field a CSV column can feed, named as in `field=Column` column-map entries.
public enum RecordField: String, Sendable, Codable, CaseIterable, Hashable {
    case sourceID = "source_id"
    case type, title, authors, year, journal, volume, issue, pages
    case startPage = "start_page"
    case endPage = "end_page"
    case doi, pmid, issn, isbn, abstract, keywords, language
    case urls = "url"
    case notes, database
}

/// Which CSV column feeds which field, written as `field=Column` (for instance `title=Article Title`).
/// A field named in the map takes only the mapped columns; other fields keep the columns recognised by name.
public struct ColumnMap: Sendable, Equatable {
    /// Field and column pairs in the order given; a field may take several columns (`keywords=A`, `keywords=B`).
    public var entries: [(field: RecordField, column: String)]

    /// Creates a map from pairs.
    public init(_ entries: [(field: RecordField, column: String)]) {
        self.entries = entries
    }

    /// Parses `field=Column` entries (one per string).
    /// - Throws: `BibliographyError.invalidColumnMap` for an entry without `=` or with an unknown field.
    public init(parsing specs: [String]) throws(BibliographyError) {
        var entries: [(field: RecordField, column: String)] = []
        for spec in specs {
            guard let eq = spec.firstIndex(of: "=") else {
                throw .invalidColumnMap(entry: spec, reason: "there is no '='")
            }
            let name = spec[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let column = spec[spec.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let field = RecordField(rawValue: name) ?? (name == "urls" ? .urls : name == "id" ? .sourceID : nil)
            guard let field else { throw .invalidColumnMap(entry: spec, reason: "\"\(name)\" is not a field") }
            guard !column.isEmpty else { throw .invalidColumnMap(entry: spec, reason: "the column name is empty") }
            entries.append((field, column))
        }
        self.entries = entries
    }

    public static func == (a: ColumnMap, b: ColumnMap) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.field == $1.field && $0.column == $1.column }
    }
}

/// Splits delimited text into rows on raw bytes (RFC 4180 quoting, line breaks inside quotes, CRLF or LF).
struct CSVTokenizer {
    enum Row {
        case fields([String], line: Int)
        case unterminated(line: Int)
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    let end: Int
    let delimiter: UInt8
    private(set) var line = 1

    init(bytes: UnsafeRawBufferPointer, start: Int, end: Int, delimiter: UInt8) {
        self.bytes = bytes
        self.position = start
        self.end = end
        self.delimiter = delimiter
    }

    /// Picks the separator that occurs most often (outside quotes) in the first line: comma, tab or semicolon.
    static func guessDelimiter(_ b: UnsafeRawBufferPointer, start: Int, end: Int) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x09: 0, 0x3B: 0]
        var inQuotes = false
        var i = start
        while i < end {
            let c = b[i]
            if c == 0x22 {
                inQuotes.toggle()
            } else if !inQuotes {
                if c == 0x0A || c == 0x0D { break }
                if counts[c] != nil { counts[c, default: 0] += 1 }
            }
            i += 1
        }
        let comma = counts[0x2C] ?? 0, tab = counts[0x09] ?? 0, semicolon = counts[0x3B] ?? 0
        if tab > comma && tab >= semicolon { return 0x09 }
        if semicolon > comma && semicolon > tab { return 0x3B }
        return 0x2C
    }

    mutating func nextRow() -> Row? {
        guard position < end else { return nil }
        let b = bytes
        let startLine = line
        var fields: [String] = []
        while true {
            if position < end && b[position] == 0x22 {
                position += 1
                var scratch: [UInt8] = []
                var segmentStart = position
                var closed = false
                while position < end {
                    let c = b[position]
                    if c == 0x22 {
                        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[segmentStart..<position]))
                        if position + 1 < end && b[position + 1] == 0x22 {
                            scratch.append(0x22)
                            position += 2
                            segmentStart = position
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if c == 0x0D {
                        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[segmentStart..<position]))
                        scratch.append(0x0A)
                        line += 1
                        position += (position + 1 < end && b[position + 1] == 0x0A) ? 2 : 1
                        segmentStart = position
                        continue
                    }
                    if c == 0x0A { line += 1 }
                    position += 1
                }
                if !closed {
                    position = end
                    return .unterminated(line: startLine)
                }
                // Anything between the closing quote and the delimiter is kept.
                let tail = position
                while position < end, b[position] != delimiter, b[position] != 0x0A, b[position] != 0x0D {
                    position += 1
                }
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[tail..<position]))
                fields.append(String(decoding: scratch, as: UTF8.self))
            } else {
                let start = position
                while position < end, b[position] != delimiter, b[position] != 0x0A, b[position] != 0x0D {
                    position += 1
                }
                fields.append(Bytes.string(b, start..<position))
            }
            if position >= end { return .fields(fields, line: startLine) }
            let c = b[position]
            if c == delimiter {
                position += 1
                if position >= end { fields.append(""); return .fields(fields, line: startLine) }
                continue
            }
            position += (c == 0x0D && position + 1 < end && b[position + 1] == 0x0A) ? 2 : 1
            line += 1
            return .fields(fields, line: startLine)
        }
    }
}

/// The CSV layouts recognised from the header.
enum CSVLayout: Equatable {
    case scopus, embase, rayyan, zotero, wosTab, generic

    static func detect(_ header: [String]) -> CSVLayout {
        let names = Set(header.map { $0.lowercased() })
        let tags = header.filter { $0.count == 2 && $0.allSatisfy { $0.isUppercase || $0.isNumber } }
        if names.contains("pt") && (names.contains("ut") || names.contains("so")) && tags.count * 2 >= header.count {
            return .wosTab
        }
        if names.contains("eid")
            || (names.contains("source title") && names.contains("authors") && names.contains("link"))
        {
            return .scopus
        }
        if names.contains("author names") || names.contains(where: { $0.hasPrefix("emtree") }) { return .embase }
        if names.contains("item type") && names.contains("publication title") { return .zotero }
        if header.contains("key") && header.contains("title") && header.contains("authors") { return .rayyan }
        return .generic
    }

    var defaultDatabase: String? {
        switch self {
        case .scopus: return "Scopus"
        case .embase: return "Embase"
        case .wosTab: return "Web of Science"
        default: return nil
        }
    }

    /// Header names (lower case) feeding each field, in order of preference; layout-specific names come first.
    func candidates(_ field: RecordField) -> [String] {
        var specific: [String] = []
        switch (self, field) {
        case (.scopus, .sourceID): specific = ["eid"]
        case (.scopus, .authors): specific = ["author full names", "authors"]
        case (.scopus, .journal): specific = ["source title"]
        case (.embase, .sourceID): specific = ["embase accession id", "embase accession number", "pui"]
        case (.embase, .authors): specific = ["author names"]
        case (.embase, .journal): specific = ["source title", "journal title"]
        case (.embase, .pmid): specific = ["medline pmid"]
        case (.embase, .keywords): specific = ["author keywords", "keywords"]
        case (.rayyan, .sourceID): specific = ["source_id", "key"]
        case (.zotero, .sourceID): specific = ["key"]
        case (.zotero, .type): specific = ["item type"]
        case (.zotero, .journal): specific = ["publication title"]
        case (.zotero, .keywords): specific = ["manual tags", "automatic tags"]
        case (.zotero, .database): specific = ["library catalog"]
        default: break
        }
        if self == .embase && field == .keywords { return specific }
        return specific + CSVLayout.genericNames[field, default: []]
    }

    static let genericNames: [RecordField: [String]] = [
        .sourceID: [
            "source_id", "key", "id", "recordid", "record id", "record number", "accession number", "eid", "ut",
            "ut (unique wos id)", "an", "rec-number", "pui",
        ],
        .type: [
            "type", "item type", "document type", "entrytype", "content type", "publication type", "reference type",
            "ty",
        ],
        .title: ["title", "document title", "article title", "item title", "primary title", "ti", "t1"],
        .authors: ["author full names", "authors", "author", "author names", "au", "a1", "creators", "creator"],
        .year: [
            "year", "publication year", "py", "pub year", "year of publication", "date", "publication date", "da",
            "issue date",
        ],
        .journal: [
            "journal", "source title", "publication title", "journal title", "journal/book", "secondarytitle",
            "secondary title", "publication name", "so", "t2", "jo", "jf",
        ],
        .volume: ["volume", "vl", "journal volume"],
        .issue: ["issue", "number", "is", "journal issue"],
        .pages: ["pages", "pg", "page range", "pagination"],
        .startPage: ["start_page", "page start", "start page", "first page", "sp", "bp", "beginning page"],
        .endPage: ["end_page", "page end", "end page", "last page", "ep"],
        .doi: ["doi", "item doi", "di", "do", "dois"],
        .pmid: ["pmid", "pubmed id", "pubmed_id", "pubmed", "medline pmid", "pm"],
        .issn: ["issn", "sn", "eissn", "ei", "e-issn", "print issn", "electronic issn"],
        .isbn: ["isbn", "isbns", "bn"],
        .abstract: ["abstract", "abstract note", "ab", "description", "summary"],
        .keywords: [
            "keywords", "author keywords", "index keywords", "manual tags", "automatic tags", "kw", "de",
            "tags", "mesh terms", "mesh_terms",
        ],
        .language: ["language", "language of original document", "la", "article language"],
        .urls: ["url", "link", "ur", "pdf link", "urls"],
        .notes: ["notes", "note", "n1"],
        .database: ["database", "library catalog", "db"],
    ]

    /// Fields that gather every matching column instead of the first non-empty one.
    static let gathering: Set<RecordField> = [.doi, .issn, .isbn, .keywords, .urls, .notes]
}

/// Reads CSV/TSV exports row by row and maps columns to fields by layout, header names and a column map.
struct CSVRecordParser: FormatParser {
    private let text: DecodedText
    private var tokenizer: CSVTokenizer
    var consumed: Int { tokenizer.position }
    private let header: [String]
    private let layout: CSVLayout
    private let columns: [RecordField: [Int]]
    private let extra: [String: Int]

    init(text: DecodedText, file: String, layout: CSVLayout?, columnMap: ColumnMap?) throws(BibliographyError) {
        self.text = text
        let delimiter = CSVTokenizer.guessDelimiter(text.bytes, start: text.start, end: text.end)
        var tokenizer = CSVTokenizer(bytes: text.bytes, start: text.start, end: text.end, delimiter: delimiter)
        var header: [String] = []
        while let row = tokenizer.nextRow() {
            if case let .fields(values, _) = row, values.contains(where: { !$0.isEmpty }) {
                header = values.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                break
            }
        }
        self.tokenizer = tokenizer
        self.header = header
        let layout = layout ?? CSVLayout.detect(header)
        self.layout = layout
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name.lowercased()] == nil { index[name.lowercased()] = i }
        var columns: [RecordField: [Int]] = [:]
        for field in RecordField.allCases {
            var seen = Set<Int>()
            columns[field] = layout.candidates(field).compactMap { index[$0] }.filter { seen.insert($0).inserted }
        }
        if layout == .rayyan, let own = index["source_id"] {
            // ReviewTrail's own CSV: `key` is the ReviewTrail id, `source_id` the export's.
            columns[.sourceID] = [own]
        }
        if let columnMap {
            var mapped: [RecordField: [Int]] = [:]
            for (field, column) in columnMap.entries {
                guard let i = index[column.lowercased()] else {
                    throw .missingColumn(file: file, column: column, field: field.rawValue)
                }
                mapped[field, default: []].append(i)
            }
            for (field, list) in mapped { columns[field] = list }
        }
        self.columns = columns
        var extra: [String: Int] = [:]
        for name in ["source", "open url link", "extra", "art. no."] { if let i = index[name] { extra[name] = i } }
        self.extra = extra
    }

    mutating func next() -> ParseOutcome? {
        while let row = tokenizer.nextRow() {
            switch row {
            case let .unterminated(line):
                return .malformed(line: line, message: "a quoted field is not closed before the end of the file")
            case let .fields(values, line):
                if values.allSatisfy({ $0.isEmpty }) { continue }
                var values = values
                var names = header
                if values.count > header.count, values[header.count...].contains(where: { !$0.isEmpty }) {
                    guard let aligned = alignWideRow(values) else {
                        return .malformed(
                            line: line,
                            message: "the row has \(values.count) fields but the header has \(header.count); "
                                + "quote fields that contain the separator")
                    }
                    (names, values) = aligned
                }
                var raw: [RawField] = []
                raw.reserveCapacity(names.count)
                for (i, name) in names.enumerated() where i < values.count && !values[i].isEmpty {
                    raw.append(RawField(name, values[i]))
                }
                if names.count != header.count {
                    // Drop the inserted columns so the remaining values line up with the header again.
                    let extra = names.count - header.count
                    let at = insertionPoint ?? header.count
                    values.removeSubrange(at..<(at + extra))
                }
                if layout == .wosTab {
                    let tagged = raw.map { f in
                        WoSMapping.listTags.contains(f.tag)
                            ? RawField(f.tag, Text.splitTopLevel(f.value, separators: [";"]).joined(separator: "\n"))
                            : f
                    }
                    var record = WoSMapping.record(fields: tagged, line: line, format: .wosTab)
                    record.raw = raw
                    return .record(record)
                }
                return .record(map(values, raw: raw, line: line))
            }
        }
        return nil
    }

    /// Where a row may carry more columns than the header: after a numbered column such as Scopus's
    /// `Funding Text 1`, which stands for `Funding Text 2`, `Funding Text 3`… when a record has more.
    private var insertionPoint: Int? {
        guard let i = header.lastIndex(where: { $0.hasSuffix(" 1") }) else { return nil }
        return i + 1
    }

    /// Names for a row wider than the header, with the extra columns inserted at `insertionPoint`.
    private func alignWideRow(_ values: [String]) -> (names: [String], values: [String])? {
        guard let at = insertionPoint else { return nil }
        let extra = values.count - header.count
        let base = String(header[at - 1].dropLast(2))
        var names = Array(header[..<at])
        for k in 0..<extra { names.append("\(base) \(k + 2)") }
        names.append(contentsOf: header[at...])
        return (names, values)
    }

    private func first(_ field: RecordField, _ values: [String]) -> String? {
        for i in columns[field, default: []] where i < values.count {
            if Text.inline(values[i]) != nil { return values[i] }
        }
        return nil
    }

    private func all(_ field: RecordField, _ values: [String]) -> [String] {
        columns[field, default: []].compactMap { i in i < values.count && !values[i].isEmpty ? values[i] : nil }
    }

    private func extraValue(_ name: String, _ values: [String]) -> String? {
        guard let i = extra[name], i < values.count, !values[i].isEmpty else { return nil }
        return values[i]
    }

    private func map(_ values: [String], raw: [RawField], line: Int) -> Record {
        var r = draftRecord(line: line, format: .csv, database: layout.defaultDatabase)
        r.sourceID = first(.sourceID, values).flatMap(Text.inline)
        r.type = first(.type, values).flatMap(ReferenceType.code) ?? "JOUR"
        r.title = first(.title, values).flatMap(Text.inline)
        r.authors = first(.authors, values).map(Names.parseList) ?? []
        r.year = first(.year, values).flatMap(Year.parse)
        r.journal = first(.journal, values).flatMap(Text.inline)
        r.volume = first(.volume, values).flatMap(Text.inline)
        r.issue = first(.issue, values).flatMap(Text.inline)
        // Separate first and last page columns are unambiguous; a single pages column is parsed.
        r.pages = Pages.make(start: first(.startPage, values), end: first(.endPage, values))
        if r.pages == nil, let pages = first(.pages, values) { r.pages = Pages.parse(pages) }
        if r.pages == nil, layout == .scopus, let article = extraValue("art. no.", values) {
            r.pages = Pages.make(start: article, end: nil)
        }
        var dois = DOIList()
        for v in all(.doi, values) { dois.addAll(in: v) }
        var urls: [String] = []
        for v in all(.urls, values) {
            for token in v.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
                guard var u = Text.inline(String(token)) else { continue }
                while u.hasSuffix(";") || u.hasSuffix(",") { u.removeLast() }
                if !u.isEmpty && !urls.contains(u) { urls.append(u) }
            }
        }
        r.urls = urls
        for u in urls { dois.add(DOI.fromLink(u)) }
        if let openURL = extraValue("open url link", values) { dois.add(DOI.fromLink(openURL)) }
        dois.apply(to: &r)
        if let p = first(.pmid, values) {
            let digits = p.filter(\.isASCIIDigit)
            if RISMapping.isPMID(digits) { r.pmid = digits }
        }
        if r.pmid == nil, let extraNotes = extraValue("extra", values) {
            r.pmid = Self.pmid(inExtra: extraNotes)
        }
        for v in all(.issn, values) {
            for x in StandardNumbers.scan(v).issn where !r.issn.contains(x) { r.issn.append(x) }
        }
        for v in all(.isbn, values) {
            for x in StandardNumbers.scan(v).isbn where !r.isbn.contains(x) { r.isbn.append(x) }
        }
        if let abstract = first(.abstract, values).flatMap(Text.multiline), abstract != "[No abstract available]" {
            r.abstract = abstract
        }
        for v in all(.keywords, values) {
            let separators: Set<Character> =
                v.contains(";") || layout == .rayyan ? [";"] : (v.contains("\n") ? ["\n"] : [","])
            for k in Text.splitTopLevel(v, separators: separators) where !r.keywords.contains(k) {
                r.keywords.append(k)
            }
        }
        r.language = first(.language, values).flatMap(Text.inline)
        r.notes = Text.multiline(all(.notes, values).joined(separator: "\n"))
        if let database = first(.database, values).flatMap(Text.inline) {
            r.source.database = database
        } else if layout == .scopus, let source = extraValue("source", values).flatMap(Text.inline) {
            r.source.database = source
        }
        if layout == .embase, let source = extraValue("source", values) {
            let parsed = Self.embaseSource(source)
            if r.journal == nil { r.journal = parsed.journal }
            if r.year == nil { r.year = parsed.year }
            if r.volume == nil { r.volume = parsed.volume }
            if r.issue == nil { r.issue = parsed.issue }
            if r.pages == nil { r.pages = parsed.pages }
        }
        r.raw = raw
        return r
    }

    /// `PMID: 12345` in Zotero's Extra field.
    static func pmid(inExtra text: String) -> String? {
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.uppercased().hasPrefix("PMID:") {
                let value = t.dropFirst(5).trimmingCharacters(in: .whitespaces)
                if RISMapping.isPMID(value) { return value }
            }
        }
        return nil
    }

    /// Embase's Source column: `Journal Name (2014) 3:3 (152-160). Date of Publication: 2014`.
    static func embaseSource(_ text: String) -> (
        journal: String?, year: Int?, volume: String?, issue: String?, pages: PageRange?
    ) {
        var t = Text.inline(text) ?? ""
        if let r = t.range(of: ". Date of Publication") ?? t.range(of: "Date of Publication") {
            t = String(t[..<r.lowerBound])
        }
        let chars = Array(t)
        var yearStart: Int?
        var i = 0
        while i + 5 < chars.count {
            if chars[i] == "(", chars[(i + 1)...(i + 4)].allSatisfy(\.isASCIIDigit), chars[i + 5] == ")" {
                yearStart = i
                break
            }
            i += 1
        }
        guard let ys = yearStart else { return (Text.inline(t), nil, nil, nil, nil) }
        let journal = Text.inline(String(chars[..<ys]))
        let year = Int(String(chars[(ys + 1)...(ys + 4)]))
        var rest = String(chars[(ys + 6)...]).trimmingCharacters(in: .whitespaces)
        var pages: PageRange?
        if let r = rest.range(of: "Article Number:") {
            pages = Pages.make(start: String(rest[r.upperBound...]), end: nil)
            rest = String(rest[..<r.lowerBound])
        } else if let open = rest.lastIndex(of: "("), let close = rest.lastIndex(of: ")"), open < close {
            pages = Pages.parse(String(rest[rest.index(after: open)..<close]))
            rest = String(rest[..<open])
        }
        rest = rest.trimmingCharacters(in: .whitespaces)
        var volume: String?
        var issue: String?
        if let colon = rest.firstIndex(of: ":") {
            volume = Text.inline(String(rest[..<colon]))
            issue = Text.inline(String(rest[rest.index(after: colon)...]))
        } else {
            volume = Text.inline(rest)
        }
        return (journal, year, volume, issue, pages)
    }
}
