import Bibliography
import Foundation
import Testing

@Suite("Writers and round trips")
struct WriterTests {
    static let record = Record(
        id: "pubmed:1", source: RecordSource(file: "pubmed.nbib", line: 1, database: "PubMed", format: .medline),
        sourceID: "28754806", type: "JOUR", title: "A title",
        authors: [Author(family: "Smith", given: "J"), Author(family: "WHO")],
        year: 2018, journal: "A Journal", volume: "10", issue: "4", pages: PageRange(start: "335", end: "339"),
        doi: "10.1136/x", dois: ["10.1136/y"], pmid: "28754806", issn: ["1759-8486"],
        abstract: "Line one.\n\nLine three.",
        keywords: ["k1", "k, 2"], language: "eng", urls: ["https://example.org/a"], notes: "a note"
    )

    @Test func risLayout() {
        let text = String(decoding: RecordWriter.ris([Self.record]), as: UTF8.self)
        let expected = """
            TY  - JOUR
            ID  - 28754806
            TI  - A title
            AU  - Smith, J
            AU  - WHO
            PY  - 2018
            T2  - A Journal
            VL  - 10
            IS  - 4
            SP  - 335
            EP  - 339
            DO  - 10.1136/x
            DO  - 10.1136/y
            AN  - 28754806
            SN  - 1759-8486
            AB  - Line one.

            Line three.
            KW  - k1
            KW  - k, 2
            LA  - eng
            UR  - https://example.org/a
            N1  - a note
            DB  - PubMed
            ER  - \("")


            """
        #expect(text == expected)
        let crlf = String(decoding: RecordWriter.ris([Self.record], lineEnding: .crlf), as: UTF8.self)
        #expect(crlf.hasPrefix("TY  - JOUR\r\nID  - 28754806\r\n"))
    }

    @Test func continuationLinesThatLookLikeTagsAreIndented() throws {
        var record = Self.record
        record.source.format = .ris
        record.raw = [RawField("M1", "first line\nER  - not the end")]
        let text = String(decoding: RecordWriter.ris([record]), as: UTF8.self)
        #expect(text.contains("M1  - first line\n ER  - not the end\n"))
        let back = try #require(try RecordReader.read(data: Data(text.utf8), fileName: "t.ris").records.first)
        #expect(back.rawValues("M1") == ["first line\nER  - not the end"])
        #expect(back.title == "A title")
    }

    @Test func edgeCasesSurviveARISRoundTrip() throws {
        var record = Self.record
        record.sourceID = nil
        record.pages = PageRange(start: "S21-1")
        record.authors = [Author(family: "Smith (Jr", given: "John"), Author(family: "Lee", given: "K")]
        let text = String(decoding: RecordWriter.ris([record]), as: UTF8.self)
        #expect(text.contains("C2  - 28754806\n"))
        #expect(!text.contains("AN  - "))
        #expect(text.contains("SP  - S21-1\nEP  - \n"))
        let back = try #require(try RecordReader.read(data: Data(text.utf8), fileName: "e.ris").records.first)
        #expect(CanonicalFields(back) == CanonicalFields(record))
        let csvBack = try #require(
            try RecordReader.read(data: RecordWriter.csv([record]), fileName: "e.csv").records.first)
        #expect(CanonicalFields(csvBack) == CanonicalFields(record))
    }

    @Test func risRoundTripOfTheSample() throws {
        let back = try RecordReader.read(data: RecordWriter.ris([Self.record]), fileName: "out.ris").records
        #expect(back.count == 1)
        #expect(CanonicalFields(back[0]) == CanonicalFields(Self.record))
    }

    @Test func csvLayoutAndQuoting() {
        let text = String(decoding: RecordWriter.csv([Self.record]), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(
            lines[0]
                == "key,title,authors,journal,issn,volume,issue,pages,year,url,language,abstract,notes,pubmed_id,doi,dois,isbn,keywords,type,database,source_id,start_page,end_page"
        )
        #expect(text.hasPrefix("key,title"))
        #expect(text.contains("pubmed:1,A title,\"Smith, J; WHO\",A Journal,1759-8486,10,4,335-339,2018,"))
        #expect(text.contains("\"Line one.\n\nLine three.\""))
        #expect(text.hasSuffix(",JOUR,PubMed,28754806,335,339\n"))
    }

    @Test func csvRoundTripOfTheSample() throws {
        let back = try RecordReader.read(data: RecordWriter.csv([Self.record]), fileName: "out.csv").records
        #expect(back.count == 1)
        #expect(CanonicalFields(back[0]) == CanonicalFields(Self.record))
        #expect(back[0].rawValues("key") == ["pubmed:1"])
    }

    @Test(arguments: readableFixtures)
    func roundTripThroughRIS(path: String) throws {
        let original = try Fixture.read(path, options: path.hasSuffix(".tsv") ? Self.genericOptions() : ReadOptions())
        #expect(!original.records.isEmpty)
        let back = try RecordReader.read(data: RecordWriter.ris(original.records), fileName: "back.ris")
        #expect(back.issues.isEmpty)
        #expect(back.records.count == original.records.count)
        for (a, b) in zip(original.records, back.records) {
            #expect(CanonicalFields(b) == CanonicalFields(a), "\(a.id)")
        }
    }

    @Test(arguments: readableFixtures)
    func roundTripThroughCSV(path: String) throws {
        let original = try Fixture.read(path, options: path.hasSuffix(".tsv") ? Self.genericOptions() : ReadOptions())
        let back = try RecordReader.read(data: RecordWriter.csv(original.records), fileName: "back.csv")
        #expect(back.issues.isEmpty)
        #expect(back.records.count == original.records.count)
        for (a, b) in zip(original.records, back.records) {
            #expect(CanonicalFields(b) == CanonicalFields(a), "\(a.id)")
        }
    }

    @Test(arguments: readableFixtures)
    func roundTripThroughJSONLines(path: String) throws {
        let original = try Fixture.read(path, options: path.hasSuffix(".tsv") ? Self.genericOptions() : ReadOptions())
        let back = try RecordReader.read(data: RecordWriter.jsonLines(original.records), fileName: "back.jsonl")
        #expect(back.records == original.records)
    }

    @Test func risToRISKeepsTheOriginalTags() throws {
        let original = try Fixture.read("ris/ovid.ris").records[0]
        let back = try #require(
            try RecordReader.read(data: RecordWriter.ris([original]), fileName: "o.ris").records.first)
        #expect(back.rawValues("JA") == ["Clin Psychol Psychother"])
        #expect(back.rawValues("Y1") == ["2019//"])
        #expect(back.rawValues("NL") == original.rawValues("NL"))
        #expect(back.rawValues("T1").isEmpty)
        let ebsco = try Fixture.read("ris/ebsco.ris").records[0]
        let again = try #require(
            try RecordReader.read(data: RecordWriter.ris([ebsco]), fileName: "e.ris").records.first)
        #expect(again.rawValues("AB") == ebsco.rawValues("AB"))
        #expect(again.abstract == ebsco.abstract)
    }

    @Test func writingToAFileIsAtomic() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("unique.ris")
            try Data("old content".utf8).write(to: url)
            let writer = try RecordWriter.ris(to: url)
            try writer.write(Self.record)
            #expect(try String(contentsOf: url, encoding: .utf8) == "old content")
            try writer.finish()
            #expect(writer.count == 1)
            #expect(try Data(contentsOf: url) == RecordWriter.ris([Self.record]))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(leftovers == ["unique.ris"])
        }
    }

    @Test func writingAfterFinishThrows() throws {
        try withTemporaryDirectory { dir in
            let writer = try RecordWriter.csv(to: dir.appendingPathComponent("done.csv"))
            try writer.finish()
            #expect(throws: BibliographyError.self) { try writer.write(Self.record) }
            #expect(
                try String(contentsOf: dir.appendingPathComponent("done.csv"), encoding: .utf8).hasPrefix("key,title"))
        }
    }

    @Test func abandonedWriterLeavesNoTemporaryFile() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("records.jsonl")
            do {
                let writer = try RecordWriter.jsonLines(to: url)
                try writer.write(Self.record)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
    }

    @Test func writerToAMissingFolderFails() {
        let url = URL(fileURLWithPath: "/nonexistent-folder/records.csv")
        #expect(throws: BibliographyError.self) { try RecordWriter.csv(to: url) }
    }

    @Test func largeOutputIsFlushedInPieces() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("many.jsonl")
            let writer = try RecordWriter.jsonLines(to: url)
            var record = Self.record
            record.abstract = String(repeating: "x", count: 2_000)
            for n in 1...1_500 {
                record.id = "big:\(n)"
                try writer.write(record)
            }
            try writer.finish()
            var reader = try RecordReader(contentsOf: url)
            var count = 0
            while let r = try reader.next() {
                count += 1
                #expect(r.id == "big:\(count)")
            }
            #expect(count == 1_500)
        }
    }

    @Test func sameRecordsGiveTheSameBytes() throws {
        let a = try Fixture.read("ris/endnote.ris")
        let b = try Fixture.read("ris/endnote.ris")
        #expect(RecordWriter.jsonLines(a.records) == RecordWriter.jsonLines(b.records))
        #expect(RecordWriter.ris(a.records) == RecordWriter.ris(b.records))
        #expect(RecordWriter.csv(a.records) == RecordWriter.csv(b.records))
    }

    static func genericOptions() -> ReadOptions {
        let map = try? ColumnMap(parsing: [
            "title=Article Title", "authors=Writers", "year=Yr", "journal=Venue", "pages=Paginated", "doi=Identifier",
            "id=Ref",
        ])
        return ReadOptions(columnMap: map)
    }
}
