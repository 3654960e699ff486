import Bibliography
import Foundation
import Testing

@Suite struct DeduplicatorTests {
    func fixtureRecords() throws -> [Record] {
        try Fixture.read("dedup/records.jsonl", options: ReadOptions(format: .jsonLines, strict: true)).records
    }

    func clusterIDs(_ result: DedupResult) -> [[String]] {
        var clusters: [Int: [String]] = [:]
        for row in result.rows { clusters[row.cluster, default: []].append(row.recordID) }
        return clusters.keys.sorted().map { clusters[$0] ?? [] }
    }

    @Test func findsDuplicatesByIdentifierAndFuzzyFieldsAndKeepsTheFirstMember() throws {
        let result = try Deduplicator.run(try fixtureRecords())
        #expect(clusterIDs(result) == [["a:1", "b:1", "c:1"], ["a:4", "c:2"]])
        #expect(result.recordsIn == 11)
        #expect(result.duplicatesRemoved == 3)
        #expect(result.clusters == 2)
        #expect(result.unique.map(\.id) == ["a:1", "a:2", "a:3", "a:4", "a:5", "b:2", "b:3", "c:3"])
        let rows = result.rows.filter { $0.recordID == "b:1" || $0.recordID == "c:1" || $0.recordID == "c:2" }
        #expect(rows.map(\.kept) == [false, false, false])
        #expect(rows[0].match.split(separator: "+").contains("doi"))
        #expect(!rows[1].match.contains("doi"))
        #expect(rows[1].match.split(separator: "+").contains("title"))
        #expect(rows[2].match.split(separator: "+").contains("pmid"))
        #expect(result.rows.first { $0.recordID == "a:1" }?.kept == true)
    }

    @Test func mergedRecordKeepsTheFirstIdAndTheMostCompleteFields() throws {
        let result = try Deduplicator.run(try fixtureRecords())
        let merged = try #require(result.unique.first)
        #expect(merged.id == "a:1")
        #expect(merged.members == ["a:1", "b:1", "c:1"])
        #expect(merged.source.file == "a.ris")
        #expect(merged.title == "Peer support workers in mental health services: a review")
        #expect(merged.issue == "1")
        #expect(merged.abstract?.hasPrefix("Hand-written test abstract") == true)
        #expect(merged.authors.first?.given == "John")
        #expect(merged.journal == "Journal of Mental Health")
        let recovery = try #require(result.unique.first { $0.id == "a:4" })
        #expect(recovery.journal == "Mental Health Review")
        #expect(recovery.members == ["a:4", "c:2"])
        #expect(result.unique.first { $0.id == "a:2" }?.members == [])
    }

    @Test func listsPairsNearTheThresholdAsUncertain() throws {
        let result = try Deduplicator.run(try fixtureRecords())
        #expect(result.uncertain.map { [$0.recordA, $0.recordB] } == [["a:5", "c:3"]])
        let pair = try #require(result.uncertain.first)
        #expect(pair.score >= 0.8 && pair.score < 0.9)
        let lower = try Deduplicator.run(try fixtureRecords(), options: DedupOptions(threshold: pair.score))
        #expect(lower.unique.first { $0.id == "a:5" }?.members == ["a:5", "c:3"])
        #expect(lower.uncertain.isEmpty)
    }

    @Test func decisionsOverrideTheMatcherWithoutChaining() throws {
        let decisions = [
            DedupDecision(recordA: "c:1", recordB: "a:1", same: false),
            DedupDecision(recordA: "a:2", recordB: "b:2", same: true),
        ]
        let result = try Deduplicator.run(try fixtureRecords(), decisions: decisions)
        // c:1 matches b:1 too, but b:1 is in a:1's cluster, which a person said c:1 is not.
        #expect(clusterIDs(result) == [["a:1", "b:1"], ["a:2", "b:2"], ["a:4", "c:2"]])
        #expect(result.rows.first { $0.recordID == "b:2" }?.match == "decision")
        #expect(result.rows.first { $0.recordID == "b:2" }?.score == 1)
    }

    @Test func decisionNamingAnUnknownRecordIsAnError() throws {
        let decisions = [DedupDecision(recordA: "a:1", recordB: "z:9", same: true, file: "dedup-decisions.csv", line: 4)]
        #expect(throws: DedupError.unknownRecord(file: "dedup-decisions.csv", line: 4, id: "z:9")) {
            try Deduplicator.run(try fixtureRecords(), decisions: decisions)
        }
    }

    @Test func readsDecisionsAndReportsTheLineOfABadRow() throws {
        let good = Data("record_id_a,record_id_b,decision\na:1,c:1,different\n\"a:2\",b:2,same\n".utf8)
        let rows = try DedupFiles.decisions(good, file: "d.csv")
        #expect(rows == [
            DedupDecision(recordA: "a:1", recordB: "c:1", same: false, file: "d.csv", line: 2),
            DedupDecision(recordA: "a:2", recordB: "b:2", same: true, file: "d.csv", line: 3),
        ])
        #expect(throws: DedupError.malformedDecision(file: "d.csv", line: 3, message: "decision \"maybe\" is neither same nor different (column 3)")) {
            try DedupFiles.decisions(Data("record_id_a,record_id_b,decision\na:1,c:1,same\na:2,b:2,maybe\n".utf8), file: "d.csv")
        }
        #expect(throws: DedupError.malformedDecision(file: "d.csv", line: 1, message: "the header must be record_id_a,record_id_b,decision")) {
            try DedupFiles.decisions(Data("a,b,c\n".utf8), file: "d.csv")
        }
    }

    @Test func writesTheReportFilesWithTheContractColumns() throws {
        let result = try Deduplicator.run(try fixtureRecords())
        let duplicates = DedupFiles.duplicatesCSV(result).split(separator: "\n", omittingEmptySubsequences: false)
        try #require(duplicates.count == 7)
        #expect(duplicates[0] == "cluster,record_id,source_id,status,match,score")
        #expect(duplicates[1] == "1,a:1,,kept,,")
        #expect(duplicates[2].hasPrefix("1,b:1,,removed,doi+"))
        #expect(duplicates[2].hasSuffix(",1.000"))
        #expect(duplicates.count == 7)
        let uncertain = DedupFiles.uncertainCSV(result).split(separator: "\n")
        try #require(uncertain.count == 2)
        #expect(uncertain[0] == "record_id_a,record_id_b,score,match")
        #expect(uncertain[1].hasPrefix("a:5,c:3,0.8"))
    }

    @Test func blockingKeepsCandidatePairsNearLinear() throws {
        // 3,000 distinct invented records, one in ten repeated with a changed case and page format.
        var records: [Record] = []
        let words = ["peer", "support", "recovery", "mental", "health", "services", "coproduction", "workers", "outcomes", "trial",
                     "housing", "employment", "stigma", "youth", "community", "review"]
        for i in 0..<3000 {
            let title = (0..<7).map { words[(i / (1 << ($0 * 2)) + $0 * 5) % words.count] }.joined(separator: " ") + " study \(i)"
            let source = RecordSource(file: "s.ris", line: i + 1, format: .ris)
            let record = Record(
                id: "s:\(i + 1)", source: source, title: title, authors: [Author(family: "Author\(i % 97)", given: "A.")], year: 2000 + i % 20,
                journal: "Journal \(i % 13)", volume: String(i % 40), pages: PageRange(start: String(i), end: String(i + 9)))
            records.append(record)
            if i % 10 == 0 {
                var copy = record
                copy.id = "t:\(i + 1)"
                copy.title = title.uppercased()
                copy.pages = PageRange(start: String(i))
                records.append(copy)
            }
        }
        let result = try Deduplicator.run(records)
        #expect(result.duplicatesRemoved == 300)
        #expect(result.candidatePairs < 10 * records.count)
        #expect(result.candidatePairs < records.count * (records.count - 1) / 200)
    }
}
