import Foundation
import Testing

@testable import Bibliography

@Suite("Record model and JSON Lines")
struct RecordModelTests {
    static let sample = Record(
        id: "scopus:7",
        source: RecordSource(file: "exports/scopus.ris", line: 42, database: "Scopus", format: .ris),
        sourceID: "2-s2.0-1", type: "JOUR", title: "A \"quoted\" title\twith a tab",
        authors: [Author(family: "Müller", given: "Jörg"), Author(family: "WHO")], year: 2019,
        journal: "Journal / of Examples", pages: PageRange(start: "1", end: "9"), doi: "10.1000/x",
        issn: ["1234-5679"], keywords: ["a", "b"], notes: "line one\nline two",
        raw: [RawField("TY", "JOUR"), RawField("TI", "A \"quoted\" title")]
    )

    @Test func jsonLineIsCanonical() {
        let line = RecordWriter.jsonLine(Self.sample)
        let expected =
            #"{"authors":[{"family":"Müller","given":"Jörg"},{"family":"WHO"}],"doi":"10.1000/x","id":"scopus:7","#
            + #""issn":["1234-5679"],"journal":"Journal / of Examples","keywords":["a","b"],"#
            + #""notes":"line one\nline two","pages":{"end":"9","start":"1"},"#
            + #""raw":[["TY","JOUR"],["TI","A \"quoted\" title"]],"#
            + #""source":{"database":"Scopus","file":"exports/scopus.ris","format":"ris","line":42},"#
            + #""source_id":"2-s2.0-1","title":"A \"quoted\" title\twith a tab","type":"JOUR","year":2019}"#
        #expect(line == expected)
    }

    @Test func jsonLinesEndWithLineFeedAndHaveNoWhiteSpaceBetweenTokens() {
        let data = RecordWriter.jsonLines([Self.sample, Self.sample])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.split(separator: "\n").count == 2)
        #expect(!text.contains("\r"))
        #expect(!text.contains("\": "))
        #expect(!text.contains(", \""))
    }

    @Test func emptyValuesAreOmitted() {
        let bare = Record(id: "x:1", source: RecordSource(file: "x.ris", line: 1, format: .ris))
        #expect(RecordWriter.jsonLine(bare) == #"{"id":"x:1","source":{"file":"x.ris","format":"ris","line":1}}"#)
    }

    @Test func keysAreSortedAsFoundationSortsThem() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(Self.sample), as: UTF8.self)
        #expect(foundation == RecordWriter.jsonLine(Self.sample))
    }

    @Test func decodingTheCanonicalLineGivesTheSameRecord() throws {
        let decoded = try JSONDecoder().decode(Record.self, from: Data(RecordWriter.jsonLine(Self.sample).utf8))
        #expect(decoded == Self.sample)
    }

    @Test func controlCharactersAreEscaped() {
        var record = Self.sample
        record.title = "bell\u{7} and nul\u{0}"
        #expect(RecordWriter.jsonLine(record).contains(#""title":"bell\u0007 and nul\u0000""#))
    }

    @Test func rawFieldIsAPairAndRejectsOtherShapes() throws {
        let encoded = String(decoding: try JSONEncoder().encode(RawField("AU", "Smith, J")), as: UTF8.self)
        #expect(encoded == #"["AU","Smith, J"]"#)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RawField.self, from: Data(#"["AU","x","y"]"#.utf8))
        }
    }

    @Test func jsonLinesReadBackExactly() throws {
        try withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("records.jsonl")
            let writer = try RecordWriter.jsonLines(to: url)
            try writer.write(Self.sample)
            var second = Self.sample
            second.id = "scopus:8"
            try writer.write(second)
            try writer.finish()
            let result = try RecordReader.read(contentsOf: url)
            #expect(result.format == .jsonLines)
            #expect(result.records == [Self.sample, second])
        }
    }

    @Test func badJSONLineIsSkippedAndCounted() throws {
        let text = RecordWriter.jsonLine(Self.sample) + "\n{\"id\": 3}\nnot json\n\n"
        let result = try RecordReader.read(data: Data(text.utf8), fileName: "records.jsonl")
        #expect(result.records.count == 1)
        #expect(result.issues.map(\.line) == [2, 3])
        #expect(result.issues[0].message.contains("id"))
    }

    @Test func jsonLinesReaderHandlesEscapesUnknownKeysAndNulls() throws {
        let line =
            #"{ "id" : "a:1", "title": "caf\u00e9 \ud83d\ude00 \/ \"q\" \\ \t", "future_key": {"x": [1, 2.5, true, null]}, "#
            + #""pages": null, "year": null, "keywords": ["k"], "source": {"file": "a.ris", "line": 3, "format": "ris"}}"#
        let r = try #require(try RecordReader.read(data: Data(line.utf8), fileName: "a.jsonl").records.first)
        #expect(r.title == "café 😀 / \"q\" \\ \t")
        #expect(r.pages == nil)
        #expect(r.year == nil)
        #expect(r.keywords == ["k"])
        #expect(r.source == RecordSource(file: "a.ris", line: 3, format: .ris))
        #expect(try JSONDecoder().decode(Record.self, from: Data(line.utf8)) == r)
    }

    @Test(arguments: [
        (#"{"id":"a:1","source":{"file":"a","line":1,"format":"ris"},"year":"2019"}"#, "\"year\""),
        (#"{"id":"a:1","source":{"file":"a","line":1,"format":"word"}}"#, "not a record format"),
        (#"{"id":"a:1"}"#, "no \"source\""),
        (#"{"id":"a:1","source":{"file":"a","line":1,"format":"ris"}} trailing"#, "text after the record"),
        (#"{"id":"a:1","source":{"file":"a","line":1,"format":"ris"},"raw":[["TY"]]}"#, "\"raw\""),
        (#"{"id":"a:1","title":"\ud800"}"#, "surrogate"),
    ])
    func jsonLinesReaderRejectsBadRecords(line: String, message: String) throws {
        let result = try RecordReader.read(data: Data(line.utf8), fileName: "bad.jsonl")
        #expect(result.records.isEmpty)
        #expect(result.issues.first?.message.contains(message) == true, "\(result.issues)")
    }

    @Test func pageRangeDisplay() {
        #expect(PageRange(start: "5", end: "9").displayString == "5-9")
        #expect(PageRange(start: "e12").displayString == "e12")
        #expect(PageRange(start: "", end: nil).isEmpty)
    }

    @Test func errorsDescribeFileLineAndFix() {
        let error = BibliographyError.malformedRecord(file: "a.ris", line: 12, message: "the record has no ER line")
        #expect(error.description.hasPrefix("a.ris:12: malformed record"))
        #expect(error.description.contains("strict"))
        #expect(BibliographyError.unknownFormat(file: "x.dat").description.contains("RIS"))
        #expect(
            error != BibliographyError.malformedRecord(file: "a.ris", line: 13, message: "the record has no ER line"))
    }

    @Test func recordIdsAreStemColonPosition() {
        for position in [1, 9, 10, 11, 99, 100, 12_345, 999_999, 1_000_000, 123_456_789] {
            #expect(RecordCompletion.id(stem: "scopus-2024", position: position) == "scopus-2024:\(position)")
        }
        #expect(RecordCompletion.id(stem: "Müller 検索", position: 7) == "Müller 検索:7")
        #expect(RecordCompletion.id(stem: "", position: 3) == ":3")
    }

    @Test func standardNumbersFromMixedValues() {
        let found = StandardNumbers.scan("0028-3878 (Print); 1526-632X (Electronic) ISBN 978-0-306-40615-7 030640615x 12345")
        #expect(found.issn == ["0028-3878", "1526-632X"])
        #expect(found.isbn == ["9780306406157", "030640615X"])
        // Eight digits without a hyphen are an ISSN only when the check digit agrees.
        #expect(StandardNumbers.scan("00283878 00283879").issn == ["0028-3878"])
        #expect(StandardNumbers.scan("12345678901234 1X34-5678").issn.isEmpty)
    }
}
