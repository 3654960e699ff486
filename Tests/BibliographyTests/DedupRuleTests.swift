import Bibliography
import Foundation
import Testing

/// The matcher's rules for the error classes found on the tuning gold sets. Every record here is invented for the
/// test; DOIs use the 10.5555 prefix, which is reserved for examples.
@Suite struct DedupRuleTests {
    func record(
        _ id: String, _ title: String?, authors: [String] = ["Lindqvist, K.", "Moreau, P."], year: Int? = 2014,
        journal: String? = "Journal of Invented Studies", volume: String? = "30", issue: String? = nil, pages: PageRange? = nil,
        doi: String? = nil
    ) -> Record {
        let names = authors.map { name -> Author in
            let parts = name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return Author(family: parts[0], given: parts.count > 1 ? parts[1] : nil)
        }
        return Record(
            id: id, source: RecordSource(file: "t.ris", line: 1, format: .ris), title: title, authors: names, year: year, journal: journal,
            volume: volume, issue: issue, pages: pages, doi: doi)
    }

    func clusters(_ records: [Record], options: DedupOptions = DedupOptions()) throws -> [[String]] {
        let result = try Deduplicator.run(records, options: options)
        var byCluster: [Int: [String]] = [:]
        for row in result.rows { byCluster[row.cluster, default: []].append(row.recordID) }
        return byCluster.keys.sorted().map { byCluster[$0] ?? [] }
    }

    let title = "Effects of an invented incretin analogue on artery lesions in a mouse model of atherosclerosis"

    @Test func aDOIThatTwoAbstractsOnDifferentPagesShareDoesNotMakeThemOne() throws {
        let records = [
            record("a", "The " + title.prefix(1).lowercased() + title.dropFirst(), authors: ["Chen, R.", "Wang, J.", "Yan, C.", "Liang, L."],
                   pages: PageRange(start: "52"), doi: "10.5555/supplement.3"),
            record("b", title, authors: ["Chen, R.", "Liang, L."], pages: PageRange(start: "51"), doi: "10.5555/supplement.3"),
        ]
        #expect(try clusters(records).isEmpty)
        // The same title on another page with the same DOI is one record whose page was mistyped.
        let same = [records[1], record("c", title, authors: ["Chen, R.", "Liang, L."], pages: PageRange(start: "151"), doi: "10.5555/supplement.3")]
        #expect(try clusters(same) == [["b", "c"]])
    }

    @Test func aFullCitationMatchOutweighsAConflictingDOI() throws {
        let records = [
            record("a", title, pages: PageRange(start: "e24"), doi: "10.5555/right.1"),
            record("b", title, pages: PageRange(start: "e24"), doi: "10.5555/right.1"),
            record("c", title, pages: PageRange(start: "e24"), doi: "10.5555/wrong.2"),
            record("d", title, pages: PageRange(start: "e24"), doi: "10.5555/wrong.2"),
        ]
        #expect(try clusters(records) == [["a", "b", "c", "d"]])
        // Another first page keeps the conflicting DOIs apart.
        var other = records
        other[2].pages = PageRange(start: "e31")
        other[3].pages = PageRange(start: "e31")
        #expect(try clusters(other) == [["a", "b"], ["c", "d"]])
    }

    @Test func pagesASpreadsheetTookForDatesAndPageListsAreReadAsWellAsTheyCanBe() throws {
        let dates = [
            record("a", title, pages: PageRange(start: "11", end: "Sep")),
            record("b", title, authors: ["Lindqvist, K.", "Okafor, N."], pages: PageRange(start: "Nov", end: "19")),
        ]
        #expect(try clusters(dates) == [["a", "b"]])
        let lists = [
            record("a", "The need for orthodontic treatment in two invented towns. [Swedish]", authors: ["Lind, G.", "Holm, P."], volume: "78",
                   pages: PageRange(start: "532, 534-536, 538-540")),
            record("b", "[The need for orthodontic treatment in two invented towns]. [Swedish]", authors: ["Lind, G.", "Berg, H."], volume: "78",
                   pages: PageRange(start: "532", end: "536")),
        ]
        #expect(try clusters(lists) == [["a", "b"]])
    }

    @Test func volumeIssueAndPagesShiftedOneFieldAreRecognised() throws {
        let records = [
            record("a", "The treatment of invented disease", authors: ["Loir, C."], volume: nil, issue: "26", pages: PageRange(start: "9")),
            record("b", "The treatment of invented disease", authors: ["Loir, C."], volume: "26", issue: "9", pages: PageRange(start: "1746", end: "1746")),
        ]
        #expect(try clusters(records) == [["a", "b"]])
        var unshifted = records
        unshifted[0].issue = "27"
        #expect(try clusters(unshifted).isEmpty)
    }

    @Test func aTranslatedTitleMatchesOnTheSameJournalVolumeAndPageRange() throws {
        let records = [
            record("a", "Indications and contraindications for living kidney donations. [Spanish]", authors: ["Andres, A."],
                   pages: PageRange(start: "30", end: "38")),
            record("b", "[Indications and contraindications of living-donor kidney transplantation]. [Spanish]", authors: ["Andres, A."],
                   pages: PageRange(start: "30", end: "38")),
        ]
        #expect(try clusters(records) == [["a", "b"]])
        var elsewhere = records
        elsewhere[1].pages = PageRange(start: "40", end: "48")
        #expect(try clusters(elsewhere).isEmpty)
    }

    @Test func theSameLongTitleByTheSameAuthorsInOneJournalAndYearIsOnePublication() throws {
        let long = "Neurological involvement in a child with an invented haemolytic syndrome"
        let records = [
            record("a", long, authors: ["Koel, B.", "Boyer, O.", "Kossor, M."], volume: "25", pages: PageRange(start: "1875", end: "1875")),
            record("b", long.lowercased(), authors: ["Koel, B.", "Boyer, O.", "Kossor, M.", "Biebuy, N."], volume: "25",
                   pages: PageRange(start: "2539", end: "2542")),
        ]
        #expect(try clusters(records) == [["a", "b"]])
        var otherAuthors = records
        otherAuthors[1].authors = [Author(family: "Alonso", given: "A."), Author(family: "Tras", given: "M.")]
        #expect(try clusters(otherAuthors).isEmpty)
        var otherJournal = records
        otherJournal[1].journal = "Molecular Inventions"
        #expect(try clusters(otherJournal).isEmpty)
    }

    @Test func noticesStayApartUnlessAskedAndTwoRecordsOfOneNoticeMerge() throws {
        let article = "Eculizumab for an invented haemolytic syndrome"
        let records = [
            record("article", article, authors: ["Nurn, J.", "Philipp, T.", "Witz, O."], volume: "360", pages: PageRange(start: "542", end: "544")),
            record("wos", article + " (vol 360, pg 542, 2009)", authors: ["Philipp, T."], volume: "360", pages: PageRange(start: "2487", end: "2487")),
            record("embase", article + " (Journal of Invented Studies (2009) 360 (542-544))", authors: ["Philipp, T."], volume: "360",
                   pages: PageRange(start: "2487", end: "2487")),
            record("erratum", "Erratum: " + article, authors: ["Philipp, T."], volume: "360", pages: PageRange(start: "2487")),
        ]
        #expect(try clusters(records) == [["wos", "embase", "erratum"]])
        #expect(try clusters(records, options: DedupOptions(linkNotices: true)) == [["article", "wos", "embase", "erratum"]])
        // A year range in parentheses is part of a title, not a citation of another article.
        let ranges = [
            record("a", "Outcomes of an invented registry (2005-2010)", pages: PageRange(start: "12", end: "19")),
            record("b", "Outcomes of an invented registry (2005-2010)", pages: PageRange(start: "12", end: "19")),
        ]
        #expect(try clusters(ranges) == [["a", "b"]])
    }

    @Test func medlineNotesOnErrataAndCommentsAreNotPartOfTheTitle() throws {
        let records = [
            record("a", "Long-term effect of an invented inhibitor on kidney function.[Erratum appears in Am J Inv. 2010 Nov;85(11):911]",
                   volume: "85", pages: PageRange(start: "553", end: "559")),
            record("b", "Long term effects of an invented inhibitor on kidney function", volume: "85", pages: PageRange(start: "553", end: "559")),
        ]
        let result = try Deduplicator.run(records)
        #expect(result.clusters == 1)
        #expect(result.rows.last?.match.split(separator: "+").contains("title") == true)
    }
}
