import Bibliography
import Foundation
import Testing

/// Fixture files shipped with the test target (`Fixtures/<format>/<name>`).
enum Fixture {
    static func url(_ path: String) throws -> URL {
        let root = try #require(Bundle.module.resourceURL, "the test bundle has no resources")
        let url = root.appendingPathComponent("Fixtures").appendingPathComponent(path)
        #expect(FileManager.default.fileExists(atPath: url.path), "missing fixture \(path)")
        return url
    }

    static func data(_ path: String) throws -> Data {
        try Data(contentsOf: url(path))
    }

    static func read(_ path: String, options: ReadOptions = ReadOptions()) throws -> ReadResult {
        try RecordReader.read(contentsOf: url(path), options: options)
    }
}

/// A fresh folder for one test, removed afterwards.
func withTemporaryDirectory<T>(_ name: String = #function, _ body: (URL) throws -> T) throws -> T {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("BibliographyTests-\(safe)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// The fields a round trip through another format must keep: everything but the id, where the record was read
/// and the raw tags (which are the new file's own).
struct CanonicalFields: Equatable, CustomStringConvertible {
    var sourceID: String?
    var type: String?
    var title: String?
    var authors: [Author]
    var year: Int?
    var journal: String?
    var volume: String?
    var issue: String?
    var pages: PageRange?
    var doi: String?
    var dois: [String]
    var pmid: String?
    var issn: [String]
    var isbn: [String]
    var abstract: String?
    var keywords: [String]
    var language: String?
    var urls: [String]
    var notes: String?
    var database: String?

    init(_ r: Record) {
        sourceID = r.sourceID
        type = r.type
        title = r.title
        authors = r.authors
        year = r.year
        journal = r.journal
        volume = r.volume
        issue = r.issue
        pages = r.pages
        doi = r.doi
        dois = r.dois
        pmid = r.pmid
        issn = r.issn
        isbn = r.isbn
        abstract = r.abstract
        keywords = r.keywords
        language = r.language
        urls = r.urls
        notes = r.notes
        database = r.source.database
    }

    var description: String {
        Mirror(reflecting: self).children.map { "\($0.label ?? "?")=\($0.value)" }.joined(separator: " ")
    }
}

/// All fixtures that hold at least one well-formed record, for round trips and detection.
let readableFixtures = [
    "ris/endnote.ris", "ris/ovid.ris", "ris/scopus.ris", "ris/rayyan.ris", "ris/ebsco.ris", "ris/zotero.ris",
    "medline/pubmed.nbib", "wos/savedrecs.txt", "wos/savedrecs_tab.txt", "csv/scopus_old.csv", "csv/scopus_new.csv",
    "csv/embase.csv", "csv/rayyan.csv", "csv/zotero.csv", "csv/generic.tsv", "xml/endnote.xml", "xml/zotero.xml",
    "bibtex/library.bib", "encoding/cp1252.ris", "encoding/utf16.txt",
]
