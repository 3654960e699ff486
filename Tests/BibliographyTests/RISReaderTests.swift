import Bibliography
import Foundation
import Testing

@Suite("RIS reader")
struct RISReaderTests {
    @Test func endNoteExportWithBOMAndCRLF() throws {
        let result = try Fixture.read("ris/endnote.ris")
        #expect(result.format == .ris)
        #expect(result.warnings.isEmpty)
        #expect(result.records.map(\.id) == ["endnote:1", "endnote:2"])
        let r = result.records[0]
        #expect(r.source == RecordSource(file: "endnote.ris", line: 1, database: "NLM", format: .ris))
        #expect(r.sourceID == "369")
        #expect(r.type == "JOUR")
        #expect(r.title == "Wound healing after minor surgery: a randomised trial")
        #expect(
            r.authors == [
                Author(family: "Nordmann", given: "Kari"), Author(family: "Øvergaard", given: "Per-Ivar"),
                Author(family: "World Health Organization"),
            ])
        #expect(r.journal == "Journal of Example Surgery")
        #expect(r.year == 2011)
        #expect(r.pages == PageRange(start: "349", end: "369"))
        #expect(r.doi == "10.1000/example.2011.001")
        #expect(r.pmid == "21553931")
        #expect(r.issn == ["0000-0019", "1234-5679"])
        #expect(r.keywords == ["Humans", "Wound Healing/*physiology", "Randomized Controlled Trials as Topic"])
        #expect(r.notes == "1347-3352\nNordmann, Kari\nJournal Article")
        #expect(r.raw.first == RawField("TY", "JOUR"))
        #expect(r.rawValues("KW") == ["Humans\nWound Healing/*physiology\nRandomized Controlled Trials as Topic"])
        #expect(!r.raw.contains { $0.value.contains("\r") })
        let chapter = result.records[1]
        #expect(chapter.type == "CHAP")
        #expect(chapter.source.line == 31)
        #expect(chapter.journal == "Handbook of Examples")
        #expect(chapter.authors == [Author(family: "Dupont", given: "Jean")])
        #expect(chapter.isbn == ["9780306406157"])
    }

    @Test func ovidRecordNumbersAndTagsAfterER() throws {
        let result = try Fixture.read("ris/ovid.ris")
        #expect(result.issues.isEmpty)
        #expect(result.records.count == 2)
        let r = result.records[0]
        #expect(r.source.line == 2)
        #expect(r.title == "The influence of self-criticism on depression symptoms.")
        #expect(r.authors.map(\.family) == ["Trindade", "Irons"])
        #expect(r.year == 2019)
        #expect(r.doi == "10.1002/cpp.2398")
        #expect(r.journal == "Clinical Psychology & Psychotherapy")
        #expect(
            r.abstract
                == "Considering that self-criticism is an important process, this study explored\nits role in depression."
        )
        #expect(r.source.database == "APA PsycInfo")
        // Ovid writes NL after ER; it belongs to the record, with the text that follows it.
        #expect(r.rawValues("NL").first?.hasPrefix("Clin Psychol Psychother") == true)
        #expect(result.records[1].source.line == 27)
        #expect(result.records[1].id == "ovid:2")
    }

    @Test func scopusFlavour() throws {
        let r = try #require(try Fixture.read("ris/scopus.ris").records.first)
        #expect(r.pmid == "31421429")
        #expect(r.journal == "Psychoneuroendocrinology")
        #expect(r.pages == PageRange(start: "104501"))
        #expect(r.dois.isEmpty)
        #expect(r.source.database == "Scopus")
        #expect(r.notes?.contains("Export Date: 12 May 2022\nReferences: Alpha, A.") == true)
        #expect(r.rawValues("M3") == ["Article"])
    }

    @Test func rayyanUntaggedKeywordLines() throws {
        let r = try #require(try Fixture.read("ris/rayyan.ris").records.first)
        #expect(r.keywords == ["Health Facility Administration", "Joint Commission", "Standards", "Medication Errors"])
        #expect(r.sourceID == "1")
        #expect(r.rawValues("AN") == ["rayyan-264552525"])
        let notes = try #require(r.notes.flatMap(RayyanNotes.init(parsing:)))
        #expect(
            notes.decisions == [
                .init(reviewer: "Ana", decision: "Included"), .init(reviewer: "Ben", decision: "Excluded"),
            ])
        #expect(notes.labels == ["hospital", "adults"])
        #expect(notes.exclusionReasons == ["wrong population"])
    }

    @Test func ebscoKeepsTheFirstAbstractAndFindsTheDOIInL3() throws {
        let r = try #require(try Fixture.read("ris/ebsco.ris").records.first)
        #expect(r.abstract == "Small rodents are common inhabitants of farmlands.")
        #expect(r.rawValues("AB").count == 2)
        #expect(r.doi == "10.1016/j.agee.2016.06.041")
        #expect(r.issn == ["0167-8809"])
        #expect(r.title == "“Living on the edge”: field margins and vole populations")
        #expect(r.source.database == "Academic Search Premier")
    }

    @Test func zoteroEmptyAndUnknownTagsAreKept() throws {
        let r = try #require(try Fixture.read("ris/zotero.ris").records.first)
        #expect(
            r.abstract
                == "BACKGROUND: Myoclonus is observed in older dogs.\n\nRESULTS: Clinical signs were spontaneous.")
        #expect(r.volume == "36")
        #expect(r.rawValues("VL") == ["36", ""])
        #expect(r.rawValues("ZZ") == ["an unknown tag"])
        #expect(r.issn == ["1939-1676", "0891-6640"])
        #expect(r.pmid == nil)
    }

    @Test func malformedRecordsAreSkippedAndCounted() throws {
        let result = try Fixture.read("ris/malformed.ris")
        #expect(result.records.map(\.title) == ["Good record one", "Good record three", "Good record five"])
        #expect(result.records.map(\.id) == ["malformed:1", "malformed:3", "malformed:5"])
        #expect(result.skipped == 3)
        #expect(result.issues.map(\.line) == [7, 16, 24])
        #expect(
            result.issues[0]
                == ReadIssue(file: "malformed.ris", line: 7, message: "the record has no ER line before the next TY"))
        #expect(result.issues[1].message.contains("no TY"))
        #expect(result.issues[2].message.contains("end of the file"))
    }

    @Test func strictReadingThrowsAtTheFirstMalformedRecord() throws {
        #expect(
            throws: BibliographyError.malformedRecord(
                file: "malformed.ris", line: 7, message: "the record has no ER line before the next TY")
        ) {
            try Fixture.read("ris/malformed.ris", options: ReadOptions(strict: true))
        }
    }

    @Test func streamingReaderCountsAsItGoes() throws {
        var reader = try RecordReader(contentsOf: try Fixture.url("ris/malformed.ris"), fileName: "exports/bad.ris")
        var titles: [String] = []
        while let record = try reader.next() {
            titles.append(record.title ?? "")
            #expect(record.source.file == "exports/bad.ris")
            #expect(record.id.hasPrefix("bad:"))
        }
        #expect(titles.count == 3)
        #expect(reader.recordCount == 3)
        #expect(reader.issues.count == 3)
    }

    @Test func databaseOptionOverridesTheExport() throws {
        let result = try Fixture.read("ris/scopus.ris", options: ReadOptions(database: "Scopus (2024-01-05)"))
        #expect(result.records.first?.source.database == "Scopus (2024-01-05)")
    }

    @Test func mixedLineEndingsAndLoneCarriageReturns() throws {
        let text = "TY  - JOUR\rTI  - Old Mac line ends\r\nAU  - Smith, J\nER  - \r\rTY  - JOUR\rTI  - Second\rER  - \r"
        let result = try RecordReader.read(data: Data(text.utf8), fileName: "mac.ris")
        #expect(result.records.map(\.title) == ["Old Mac line ends", "Second"])
        #expect(result.records.map(\.source.line) == [1, 6])
    }

    @Test func typeNamesAreMappedToCodes() throws {
        let text = "TY  - Journal Article\nTI  - a\nER  - \nTY  - XYZ\nTI  - b\nER  - \nTY  - ELEC\nTI  - c\nER  - \n"
        let result = try RecordReader.read(data: Data(text.utf8), fileName: "t.ris")
        #expect(result.records.map(\.type) == ["JOUR", "GEN", "ELEC"])
        #expect(result.records[1].rawValues("TY") == ["XYZ"])
    }

    @Test func emptyFileHasNoRecords() throws {
        let result = try RecordReader.read(data: Data(), fileName: "empty.ris")
        #expect(result.records.isEmpty)
        #expect(result.issues.isEmpty)
    }
}

@Suite("MEDLINE reader")
struct MedlineReaderTests {
    @Test func pubmedExport() throws {
        let result = try Fixture.read("medline/pubmed.nbib")
        #expect(result.format == .medline)
        #expect(result.records.count == 3)
        let r = result.records[0]
        #expect(r.sourceID == "28754806")
        #expect(r.pmid == "28754806")
        #expect(
            r.title
                == "Impact of balloon guide catheter on technical and clinical outcomes: a systematic review and meta-analysis."
        )
        #expect(
            r.authors == [
                Author(family: "Brinjikji", given: "Waleed"), Author(family: "Pereira", given: "Vitor M"),
                Author(family: "Example Stroke Collaboration"),
            ])
        #expect(r.doi == "10.1136/neurintsurg-2017-013179")
        #expect(r.dois.isEmpty)
        #expect(r.pages == PageRange(start: "335", end: "339"))
        #expect(r.year == 2018)
        #expect(r.journal == "Journal of neurointerventional surgery")
        #expect(r.issn == ["1759-8486", "1759-8478"])
        #expect(r.keywords == ["mechanical thrombectomy", "stroke", "Humans", "Thrombectomy/*methods"])
        #expect(r.language == "eng")
        #expect(r.source.database == "PubMed")
        #expect(r.rawValues("TI").first?.contains("systematic review") == true)
    }

    @Test func abbreviatedAuthorsAndRecordsWithoutBlankLines() throws {
        let result = try Fixture.read("medline/pubmed.nbib")
        #expect(result.records[1].authors == [Author(family: "Westgate", given: "MJ")])
        // The third record follows the second without a blank line, and the file has no final line feed.
        #expect(result.records[2].pmid == "30000001")
        #expect(result.records[2].source.line == 45)
        #expect(result.records[2].authors == [Author(family: "Solo", given: "Han")])
    }

    @Test func recordWithoutPMIDIsMalformed() throws {
        let text = "PMID- 1\nTI  - Fine\n\nTI  - No PMID here\nAU  - Nobody N\n\nPMID- 3\nTI  - Also fine\n"
        let result = try RecordReader.read(data: Data(text.utf8), fileName: "x.nbib")
        #expect(result.records.map(\.id) == ["x:1", "x:3"])
        #expect(
            result.issues == [ReadIssue(file: "x.nbib", line: 4, message: "the record does not start with a PMID line")]
        )
    }
}

@Suite("Web of Science readers")
struct WoSReaderTests {
    @Test func plainText() throws {
        let result = try Fixture.read("wos/savedrecs.txt")
        #expect(result.format == .wos)
        #expect(result.records.count == 2)
        let r = result.records[0]
        #expect(r.source.line == 3)
        #expect(
            r.title == "Do magnetic phosphorus adsorbents used for lake restoration impact on zooplankton community?")
        #expect(
            r.authors == [
                Author(family: "Alvarez-Manzaneda", given: "I."), Author(family: "Guerrero", given: "Francisco"),
            ])
        #expect(
            r.keywords == [
                "Magnetic particles", "Toxicity", "Zooplankton", "ROTIFER BRACHIONUS", "ECOLOGICAL RISK-ASSESSMENT",
                "TROPHIC STATE INDEX",
            ])
        #expect(r.issn == ["0048-9697", "1879-1026"])
        #expect(r.pmid == "30529964")
        #expect(r.sourceID == "WOS:000455039600059")
        #expect(r.source.database == "Web of Science")
        #expect(r.rawValues("AU") == ["Alvarez-Manzaneda, I\nGuerrero, F"])
        let zoo = result.records[1]
        #expect(zoo.source.database == "Zoological Record")
        #expect(zoo.authors.first == Author(family: "Stillman", given: "Andrew N."))
        #expect(zoo.pages == PageRange(start: "78", end: "81"))
        #expect(zoo.keywords == ["Picoides arcticus [Nesting / Habitat; burned forest]", "Aves"])
    }

    @Test func tabDelimited() throws {
        let result = try Fixture.read("wos/savedrecs_tab.txt")
        #expect(result.format == .wosTab)
        #expect(result.records.count == 2)
        let r = result.records[0]
        #expect(r.authors.map(\.displayName) == ["Alvarez-Manzaneda, I.", "Guerrero, Francisco"])
        #expect(r.keywords == ["Magnetic particles", "Toxicity"])
        #expect(r.doi == "10.1016/j.scitotenv.2018.11.375")
        #expect(r.rawValues("AU") == ["Alvarez-Manzaneda, I; Guerrero, F"])
        #expect(result.records[1].type == "BOOK")
    }

    @Test func recordWithoutERIsMalformed() throws {
        let text = "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI First\nPT J\nTI Second\nER\nEF\n"
        let result = try RecordReader.read(data: Data(text.utf8), fileName: "w.txt")
        #expect(result.records.map(\.title) == ["Second"])
        #expect(result.issues.map(\.line) == [3])
    }
}
