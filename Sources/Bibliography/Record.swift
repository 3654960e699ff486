/// One bibliographic record in ReviewTrail's canonical shape.
///
/// The normalised fields are derived from `raw`, which keeps every original tag or column with its value,
/// in file order, so nothing of the export is lost.
public struct Record: Sendable, Codable, Equatable, Hashable {
    /// `<export-file-stem>:<n>`, n the record's 1-based position in its file (skipped malformed records count).
    public var id: String
    /// Where the record was read from.
    public var source: RecordSource
    /// The export's own identifier: RIS `ID` (else `AN`), PMID, WoS `UT`, EndNote `rec-number`, a CSV id column.
    public var sourceID: String?
    /// Reference type as a RIS type code (`JOUR`, `BOOK`, `CHAP`, `CONF`, `THES`, `RPRT`, `GEN`…).
    public var type: String?
    public var title: String?
    /// Authors in order, as written (no initials expansion or case change).
    public var authors: [Author]
    public var year: Int?
    /// Journal or other container title (full title preferred over the abbreviation).
    public var journal: String?
    public var volume: String?
    public var issue: String?
    public var pages: PageRange?
    /// The first DOI, lower-cased, without URL or `doi:` prefix.
    public var doi: String?
    /// Further distinct DOIs found in the record, normalised like `doi`.
    public var dois: [String]
    public var pmid: String?
    /// ISSNs in `NNNN-NNNC` form, in order of appearance.
    public var issn: [String]
    /// ISBNs as digits (and a final X), in order of appearance.
    public var isbn: [String]
    public var abstract: String?
    public var keywords: [String]
    public var language: String?
    public var urls: [String]
    /// Free-text notes (RIS `N1`, EndNote `notes`, Rayyan's notes column), several joined by a line feed.
    public var notes: String?
    /// For a record merged from duplicates: the ids of every member of its cluster, in input order (its own first).
    public var members: [String]
    /// Every original tag or column with its value, in order.
    public var raw: [RawField]

    /// Creates a record; every field but `id` and `source` defaults to empty.
    public init(
        id: String, source: RecordSource, sourceID: String? = nil, type: String? = nil, title: String? = nil,
        authors: [Author] = [], year: Int? = nil, journal: String? = nil, volume: String? = nil,
        issue: String? = nil, pages: PageRange? = nil, doi: String? = nil, dois: [String] = [],
        pmid: String? = nil, issn: [String] = [], isbn: [String] = [], abstract: String? = nil,
        keywords: [String] = [], language: String? = nil, urls: [String] = [], notes: String? = nil,
        members: [String] = [], raw: [RawField] = []
    ) {
        self.id = id
        self.source = source
        self.sourceID = sourceID
        self.type = type
        self.title = title
        self.authors = authors
        self.year = year
        self.journal = journal
        self.volume = volume
        self.issue = issue
        self.pages = pages
        self.doi = doi
        self.dois = dois
        self.pmid = pmid
        self.issn = issn
        self.isbn = isbn
        self.abstract = abstract
        self.keywords = keywords
        self.language = language
        self.urls = urls
        self.notes = notes
        self.members = members
        self.raw = raw
    }

    enum CodingKeys: String, CodingKey {
        case id, source, sourceID = "source_id", type, title, authors, year, journal, volume, issue, pages, doi,
            dois, pmid, issn, isbn, abstract, keywords, language, urls, notes, members, raw
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        source = try c.decode(RecordSource.self, forKey: .source)
        sourceID = try c.decodeIfPresent(String.self, forKey: .sourceID)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        authors = try c.decodeIfPresent([Author].self, forKey: .authors) ?? []
        year = try c.decodeIfPresent(Int.self, forKey: .year)
        journal = try c.decodeIfPresent(String.self, forKey: .journal)
        volume = try c.decodeIfPresent(String.self, forKey: .volume)
        issue = try c.decodeIfPresent(String.self, forKey: .issue)
        pages = try c.decodeIfPresent(PageRange.self, forKey: .pages)
        doi = try c.decodeIfPresent(String.self, forKey: .doi)
        dois = try c.decodeIfPresent([String].self, forKey: .dois) ?? []
        pmid = try c.decodeIfPresent(String.self, forKey: .pmid)
        issn = try c.decodeIfPresent([String].self, forKey: .issn) ?? []
        isbn = try c.decodeIfPresent([String].self, forKey: .isbn) ?? []
        abstract = try c.decodeIfPresent(String.self, forKey: .abstract)
        keywords = try c.decodeIfPresent([String].self, forKey: .keywords) ?? []
        language = try c.decodeIfPresent(String.self, forKey: .language)
        urls = try c.decodeIfPresent([String].self, forKey: .urls) ?? []
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        members = try c.decodeIfPresent([String].self, forKey: .members) ?? []
        raw = try c.decodeIfPresent([RawField].self, forKey: .raw) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(sourceID, forKey: .sourceID)
        try c.encodeIfPresent(type, forKey: .type)
        try c.encodeIfPresent(title, forKey: .title)
        if !authors.isEmpty { try c.encode(authors, forKey: .authors) }
        try c.encodeIfPresent(year, forKey: .year)
        try c.encodeIfPresent(journal, forKey: .journal)
        try c.encodeIfPresent(volume, forKey: .volume)
        try c.encodeIfPresent(issue, forKey: .issue)
        if let pages, !pages.isEmpty { try c.encode(pages, forKey: .pages) }
        try c.encodeIfPresent(doi, forKey: .doi)
        if !dois.isEmpty { try c.encode(dois, forKey: .dois) }
        try c.encodeIfPresent(pmid, forKey: .pmid)
        if !issn.isEmpty { try c.encode(issn, forKey: .issn) }
        if !isbn.isEmpty { try c.encode(isbn, forKey: .isbn) }
        try c.encodeIfPresent(abstract, forKey: .abstract)
        if !keywords.isEmpty { try c.encode(keywords, forKey: .keywords) }
        try c.encodeIfPresent(language, forKey: .language)
        if !urls.isEmpty { try c.encode(urls, forKey: .urls) }
        try c.encodeIfPresent(notes, forKey: .notes)
        if !members.isEmpty { try c.encode(members, forKey: .members) }
        if !raw.isEmpty { try c.encode(raw, forKey: .raw) }
    }
}

/// Where a record came from: the export file, the line its record starts on, the database and the format.
public struct RecordSource: Sendable, Codable, Equatable, Hashable {
    /// The export's file name as given to the reader.
    public var file: String
    /// 1-based line on which the record starts.
    public var line: Int
    /// The database the export came from, when known (`Scopus`, `PubMed`, `Embase`…).
    public var database: String?
    public var format: RecordFormat

    /// Creates a source description.
    public init(file: String, line: Int, database: String? = nil, format: RecordFormat) {
        self.file = file
        self.line = line
        self.database = database
        self.format = format
    }
}

/// One author as written in the export: family name and, when the export separates it, the given names.
public struct Author: Sendable, Codable, Equatable, Hashable {
    public var family: String
    public var given: String?

    /// Creates an author; an empty `given` is stored as nil.
    public init(family: String, given: String? = nil) {
        self.family = family
        self.given = (given?.isEmpty ?? true) ? nil : given
    }

    /// `Family, Given`, or the family name alone.
    public var displayName: String {
        if let given { return "\(family), \(given)" }
        return family
    }
}

/// First and last page (or article number) as written, with abbreviated end pages expanded (`221-8` → 221, 228).
public struct PageRange: Sendable, Codable, Equatable, Hashable {
    public var start: String?
    public var end: String?

    /// Creates a page range; empty strings are stored as nil.
    public init(start: String?, end: String? = nil) {
        self.start = (start?.isEmpty ?? true) ? nil : start
        self.end = (end?.isEmpty ?? true) ? nil : end
    }

    /// True when neither page is known.
    public var isEmpty: Bool { start == nil && end == nil }

    /// `start-end`, or the single known page.
    public var displayString: String {
        switch (start, end) {
        case let (s?, e?): return "\(s)-\(e)"
        case let (s?, _): return s
        case let (nil, e?): return e
        default: return ""
        }
    }
}

/// One original tag or column and its value; encoded as the JSON pair `[tag, value]`.
public struct RawField: Sendable, Codable, Equatable, Hashable {
    public var tag: String
    public var value: String

    /// Creates a raw field.
    public init(_ tag: String, _ value: String) {
        self.tag = tag
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        tag = try c.decode(String.self)
        value = try c.decode(String.self)
        if !c.isAtEnd {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a raw field is a [tag, value] pair")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(tag)
        try c.encode(value)
    }
}

extension Record {
    /// The values of every raw field with this tag, in order.
    public func rawValues(_ tag: String) -> [String] {
        raw.compactMap { $0.tag == tag ? $0.value : nil }
    }
}
