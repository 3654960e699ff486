import Bibliography
import Foundation
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    @Test func scopusOldLayout() throws {
        let result = try Fixture.read("csv/scopus_old.csv")
        #expect(result.format == .csv)
        #expect(result.issues.isEmpty)
        let r = result.records[0]
        #expect(r.title == "Scalable molecular dynamics with NAMD")
        #expect(r.authors.map(\.displayName) == ["Phillips, J.C.", "Braun, R.", "Kalé, L."])
        #expect(r.year == 2005)
        #expect(r.pages == PageRange(start: "1781", end: "1802"))
        #expect(r.issn == ["0192-8651"])
        #expect(r.pmid == "16222654")
        #expect(r.sourceID == "2-s2.0-27344436094")
        #expect(r.keywords == ["Molecular dynamics", "Parallel computing", "Algorithms", "Computer simulation"])
        #expect(r.source.database == "Scopus")
        #expect(r.rawValues("Cited by") == ["13169"])
        // The second row carries one more funding text than the header names.
        let second = result.records[1]
        #expect(second.abstract == nil)
        #expect(second.pages == PageRange(start: "e1234"))
        #expect(second.type == "CONF")
        #expect(second.rawValues("Funding Text 2") == ["Second funder."])
        #expect(second.issn == ["1234-5679"])
        #expect(second.sourceID == "2-s2.0-2")
    }

    @Test func scopusNewLayoutUsesFullNames() throws {
        let r = try #require(try Fixture.read("csv/scopus_new.csv").records.first)
        #expect(
            r.authors == [
                Author(family: "Hao", given: "Jie"), Author(family: "High", given: "Robin"),
                Author(family: "Siu", given: "Ka-Chun"),
            ])
        #expect(r.abstract == "This study investigated the effects of visual rotation.\nA second paragraph.")
        #expect(r.source.line == 2)
    }

    @Test func embaseSourceColumnAndOpenURLLink() throws {
        let result = try Fixture.read("csv/embase.csv")
        let r = result.records[0]
        #expect(r.journal == "Endoscopic Ultrasound")
        #expect(r.year == 2014)
        #expect(r.volume == "3")
        #expect(r.issue == "3")
        #expect(r.pages == PageRange(start: "152", end: "160"))
        #expect(r.doi == "10.4103/2303-9027.138783")
        #expect(r.keywords == ["article", "bronchogenic duplication cyst (diagnosis, surgery)", "colonoscopy"])
        #expect(r.source.database == "Embase")
        let second = result.records[1]
        #expect(second.pages == PageRange(start: "e83"))
        #expect(second.volume == "54")
        #expect(second.year == 2019)
    }

    @Test func rayyanExportWithNotes() throws {
        let result = try Fixture.read("csv/rayyan.csv")
        let r = result.records[0]
        #expect(r.sourceID == "rayyan-1")
        #expect(r.authors.map(\.family) == ["Smith", "Jones"])
        #expect(r.keywords == ["Patient Safety", "Medication Errors"])
        let notes = try #require(r.notes.flatMap(RayyanNotes.init(parsing:)))
        #expect(notes.decisions.map(\.decision) == ["Included", "Maybe"])
        #expect(notes.labels == ["RCT"])
        #expect(notes.userNotes == ["check dosage"])
        #expect(result.records[1].year == 2020)
    }

    @Test func zoteroExport() throws {
        let result = try Fixture.read("csv/zotero.csv")
        let r = result.records[0]
        #expect(r.pmid == "35319117")
        #expect(r.issn == ["1939-1676", "0891-6640"])
        #expect(r.keywords == ["Animals", "Dogs", "Retrospective Studies"])
        #expect(r.source.database == "PubMed")
        #expect(result.records[1].type == "CHAP")
        #expect(result.records[1].isbn == ["9780306406157"])
    }

    @Test func genericFileWithAColumnMap() throws {
        let map = try ColumnMap(parsing: [
            "title=Article Title", "authors=Writers", "year=Yr", "journal=Venue", "pages=Paginated", "doi=Identifier",
            "id=Ref",
        ])
        let result = try Fixture.read("csv/generic.tsv", options: ReadOptions(columnMap: map))
        #expect(result.records.count == 2)
        let r = result.records[0]
        #expect(r.sourceID == "R1")
        #expect(r.authors.map(\.displayName) == ["Alpha, Ann", "Beta, Bob"])
        #expect(r.year == 1999)
        #expect(r.pages == PageRange(start: "10", end: "20"))
        #expect(r.doi == "10.1000/generic.1")
        #expect(result.records[1].title == "A title with a line break")
        #expect(result.records[1].rawValues("Article Title") == ["A title with a\nline break"])
        #expect(result.records[1].source.line == 3)
    }

    @Test func columnMapErrors() throws {
        #expect(throws: BibliographyError.invalidColumnMap(entry: "title", reason: "there is no '='")) {
            try ColumnMap(parsing: ["title"])
        }
        #expect(throws: BibliographyError.invalidColumnMap(entry: "colour=Paint", reason: "\"colour\" is not a field"))
        {
            try ColumnMap(parsing: ["colour=Paint"])
        }
        let map = try ColumnMap(parsing: ["title=Headline"])
        #expect(throws: BibliographyError.missingColumn(file: "generic.tsv", column: "Headline", field: "title")) {
            try Fixture.read("csv/generic.tsv", options: ReadOptions(columnMap: map))
        }
    }

    @Test func malformedRowsAreSkippedAndCounted() throws {
        let result = try Fixture.read("csv/malformed.csv")
        #expect(result.records.map(\.title) == ["Fine record", "Second fine record"])
        #expect(result.records.map(\.id) == ["malformed:1", "malformed:3"])
        #expect(result.issues.map(\.line) == [3, 5])
        #expect(result.issues[1].message.contains("not closed"))
    }

    @Test func semicolonSeparatedFile() throws {
        let text = "Title;Authors;Year\n\"One; two\";Alpha, A.;2001\n"
        let r = try #require(try RecordReader.read(data: Data(text.utf8), fileName: "s.csv").records.first)
        #expect(r.title == "One; two")
        #expect(r.year == 2001)
    }
}

@Suite("EndNote XML reader")
struct EndNoteXMLReaderTests {
    @Test func styleWrappersAreJoined() throws {
        let result = try Fixture.read("xml/endnote.xml")
        #expect(result.format == .endnoteXML)
        let r = result.records[0]
        #expect(r.sourceID == "1218")
        #expect(r.title == "Efficacy of batroxobin in cognitive impairment")
        #expect(r.authors.map(\.displayName) == ["Zhai, Q. J.", "Yue, X. Y."])
        #expect(r.journal == "Chinese Journal of Cerebrovascular Diseases")
        #expect(r.pages == PageRange(start: "73", end: "76"))
        #expect(r.issue == "2")
        #expect(r.doi == "10.3969/j.issn.1673-5765.2010.02.004")
        #expect(r.pmid == "20412345")
        #expect(r.issn == ["1673-5765"])
        #expect(r.abstract == "Objective: To investigate (P>0.05).\nResults: better & safer.")
        #expect(r.keywords == ["Batroxobin", "Dementia"])
        #expect(r.rawValues("caption") == ["Duplicate"])
        #expect(r.rawValues("ref-type@name") == ["Journal Article"])
        #expect(r.rawValues("titles/title") == ["Efficacy of batroxobin in cognitive impairment"])
        let chapter = result.records[1]
        #expect(chapter.type == "CHAP")
        #expect(chapter.journal == "Handbook of Examples")
        #expect(chapter.isbn == ["9780306406157"])
    }

    @Test func zoteroFlavour() throws {
        let r = try #require(try Fixture.read("xml/zotero.xml").records.first)
        #expect(r.journal == "Journal of veterinary internal medicine")
        #expect(r.issn == ["1939-1676", "0891-6640"])
        #expect(r.doi == "10.1111/jvim.16404")
        #expect(r.pmid == nil)
        #expect(r.source.line == 2)
    }

    @Test func syntaxErrorKeepsCompleteRecordsAndCountsTheRest() throws {
        let result = try Fixture.read("xml/broken.xml")
        #expect(result.records.map(\.title) == ["Complete record"])
        #expect(result.skipped == 1)
        #expect(result.issues[0].line == 4)
        #expect(result.issues[0].message.contains("XML syntax error"))
    }
}

@Suite("BibTeX reader")
struct BibTeXReaderTests {
    @Test func entriesMacrosAndAccents() throws {
        let result = try Fixture.read("bibtex/library.bib")
        #expect(result.format == .bibtex)
        #expect(result.records.count == 3)
        let r = result.records[0]
        #expect(r.source.line == 8)
        #expect(r.sourceID == "muller_2019")
        #expect(r.title == "The Brönsted acid & its role in Çukurova: a α-test")
        #expect(
            r.authors == [
                Author(family: "Müller", given: "Jörg"), Author(family: "García", given: "María"),
                Author(family: "World Health Organization"), Author(family: "de la Fontaine", given: "Jean-Luc"),
            ])
        #expect(r.journal == "Journal of Example Studies")
        #expect(r.volume == "12")
        #expect(r.issue == "3")
        #expect(r.pages == PageRange(start: "101", end: "110"))
        #expect(r.doi == "10.1000/abc.123")
        #expect(r.keywords == ["soil", "water, quality", "Straße"])
        #expect(r.abstract == "First line of the abstract.\n\nSecond paragraph with 50% more.")
        #expect(r.notes == "Published online")
        #expect(r.rawValues("month") == ["June"])
        #expect(r.rawValues("@type") == ["article"])
        let paper = result.records[1]
        #expect(paper.type == "CONF")
        #expect(paper.journal == "Proceedings of the Example Conference")
        #expect(
            paper.authors == [Author(family: "Smith Jr", given: "John"), Author(family: "Lindqvist", given: "Åsa")])
        let book = result.records[2]
        #expect(book.type == "BOOK")
        #expect(book.authors == [Author(family: "Karenina", given: "Anna")])
    }

    @Test func malformedEntriesAreSkipped() throws {
        let result = try Fixture.read("bibtex/malformed.bib")
        #expect(result.records.map(\.sourceID) == ["good"])
        #expect(result.records[0].id == "malformed:2")
        #expect(result.issues.map(\.line) == [1, 9])
        #expect(result.issues[1].message.contains("has no '='"))
    }
}

@Suite("Text encodings")
struct EncodingTests {
    @Test func windows1252FallbackWarns() throws {
        let result = try Fixture.read("encoding/cp1252.ris")
        let r = try #require(result.records.first)
        #expect(r.title == "Café culture – a review")
        #expect(r.authors == [Author(family: "Müller", given: "Jörg")])
        #expect(result.warnings.count == 1)
        #expect(result.warnings[0].line == 2)
        #expect(result.warnings[0].message.contains("Windows-1252"))
    }

    @Test func utf16IsConverted() throws {
        let result = try Fixture.read("encoding/utf16.txt")
        #expect(result.format == .wosTab)
        #expect(result.records.first?.authors == [Author(family: "Nørgaard", given: "K")])
        #expect(result.warnings.map(\.message) == ["UTF-16 text was converted to UTF-8"])
    }

    @Test func byteOrderMarkIsNotPartOfTheFirstTag() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("TY  - JOUR\nTI  - BOM\nER  - \n".utf8)
        let result = try RecordReader.read(data: data, fileName: "bom.ris")
        #expect(result.records.first?.raw.first == RawField("TY", "JOUR"))
        #expect(result.warnings.isEmpty)
    }
}

@Suite("Format detection")
struct DetectionTests {
    @Test(arguments: [
        ("ris/endnote.ris", RecordFormat.ris), ("ris/ovid.ris", .ris), ("medline/pubmed.nbib", .medline),
        ("wos/savedrecs.txt", .wos), ("wos/savedrecs_tab.txt", .wosTab), ("csv/scopus_old.csv", .csv),
        ("csv/generic.tsv", .csv), ("xml/endnote.xml", .endnoteXML), ("bibtex/library.bib", .bibtex),
        ("encoding/utf16.txt", .wosTab),
    ])
    func detectsFixtures(path: String, format: RecordFormat) throws {
        #expect(RecordFormat.detect(data: try Fixture.data(path)) == format)
    }

    @Test func detectsSnippets() {
        #expect(RecordFormat.detect(data: Data("{\"id\":\"a:1\"}\n".utf8)) == .jsonLines)
        #expect(RecordFormat.detect(data: Data("\n\n  @ARTICLE{x,\n title={y}}".utf8)) == .bibtex)
        #expect(RecordFormat.detect(data: Data("PT J\nAU Smith, J\nER\n".utf8)) == .wos)
        #expect(RecordFormat.detect(data: Data("just some prose\nwithout structure\n".utf8)) == nil)
        #expect(
            RecordFormat.detect(data: Data("Provider: Example, Inc.\n\nTY  - JOUR\nTI  - x\nER  - \n".utf8)) == .ris)
        #expect(RecordFormat.detect(data: Data("Exported 2024, PubMed\n\nPMID- 1\nTI  - x\n".utf8)) == .medline)
    }

    @Test func unknownContentThrowsUnlessTheFormatIsGiven() throws {
        let prose = Data("just some prose\nwithout structure\n".utf8)
        #expect(throws: BibliographyError.unknownFormat(file: "notes.txt")) {
            try RecordReader.read(data: prose, fileName: "notes.txt")
        }
        let forced = try RecordReader.read(data: prose, fileName: "notes.txt", options: ReadOptions(format: .ris))
        #expect(forced.format == .ris)
        #expect(forced.records.isEmpty)
    }

    @Test func unreadableFileNamesTheFile() {
        #expect(throws: BibliographyError.self) {
            try RecordReader.read(contentsOf: URL(fileURLWithPath: "/nonexistent/exports/x.ris"))
        }
        do {
            _ = try RecordReader.read(contentsOf: URL(fileURLWithPath: "/nonexistent/exports/x.ris"))
        } catch {
            #expect(error.description.hasPrefix("x.ris: cannot read the file"))
        }
    }
}

@Suite("Rayyan notes")
struct RayyanNotesTests {
    @Test func allSections() throws {
        let text =
            #"Some note | RAYYAN-INCLUSION: {"Kofi"=>"Included", "Ama"=>"Excluded"} | RAYYAN-LABELS: ML,Hospital | "#
            + #"RAYYAN-EXCLUSION-REASONS: wrong population,foreign language | USER-NOTES: {"Kofi"=>["check later", "ok"]}"#
        let notes = try #require(RayyanNotes(parsing: text))
        #expect(
            notes.decisions == [
                .init(reviewer: "Kofi", decision: "Included"), .init(reviewer: "Ama", decision: "Excluded"),
            ])
        #expect(notes.labels == ["ML", "Hospital"])
        #expect(notes.exclusionReasons == ["wrong population", "foreign language"])
        #expect(notes.userNotes == ["check later", "ok"])
        #expect(notes.otherText == "Some note")
    }

    @Test func plainNotesAreNotRayyans() {
        #expect(RayyanNotes(parsing: "An ordinary note") == nil)
        #expect(
            RayyanNotes(parsing: "RAYYAN-INCLUSION: Included")?.decisions == [.init(reviewer: "", decision: "Included")]
        )
    }
}
