import Foundation
import ReviewTestSupport
import Testing

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct RecordsDedupCommandTests {
    func review(_ arguments: [String], in dir: URL) throws -> ProcessResult {
        try runProgram(RepositoryPaths.reviewBinary, arguments, in: dir)
    }

    func importExample(in dir: URL) throws {
        let exports = RepositoryPaths.packageRoot.appendingPathComponent("stages/2-search/exports")
        let files = ["medline.ris", "scopus.csv", "wos.txt"].map { exports.appendingPathComponent($0).path }
        let imported = try review(["records", "import"] + files + ["-o", "records.jsonl"], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
    }

    @Test func deduplicatesTheExampleBackToItsReferenceList() throws {
        try withTemporaryDirectory { dir in
            try importExample(in: dir)
            let dedup = try review(
                ["records", "dedup", "records.jsonl", "-o", "unique.jsonl", "--report", "duplicates.csv", "--uncertain", "uncertain.csv"], in: dir)
            #expect(dedup.status == 0, "\(dedup.stderr)")
            // The example's exports hold the 167 references of the paper's list (stages/2-search/DATA.md).
            #expect(dedup.stdout == "records in: 344\nduplicates removed: 177\nclusters: 128\nunique: 167\nuncertain pairs: 0\n")
            #expect(dedup.stderr.contains("candidate pairs from blocking"))
            let unique = try readFile(dir.appendingPathComponent("unique.jsonl")).split(separator: "\n")
            #expect(unique.count == 167)
            #expect(unique.first?.contains("\"id\":\"medline:1\"") == true)
            let report = try readFile(dir.appendingPathComponent("duplicates.csv")).split(separator: "\n")
            #expect(report.first == "cluster,record_id,source_id,status,match,score")
            #expect(report.count == 1 + 177 + 128)
            #expect(try readFile(dir.appendingPathComponent("uncertain.csv")) == "record_id_a,record_id_b,score,match\n")
        }
    }

    @Test func decisionsFileWithAnUnknownIdExitsTwoAndWritesNothing() throws {
        try withTemporaryDirectory { dir in
            try importExample(in: dir)
            try writeFile("record_id_a,record_id_b,decision\nmedline:1,nowhere:3,same\n", to: dir.appendingPathComponent("decisions.csv"))
            let dedup = try review(
                ["records", "dedup", "records.jsonl", "-o", "unique.jsonl", "--report", "duplicates.csv", "--decisions", "decisions.csv"], in: dir)
            #expect(dedup.status == 2)
            #expect(dedup.stderr.contains("decisions.csv:2"))
            #expect(dedup.stderr.contains("nowhere:3"))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("unique.jsonl").path))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("duplicates.csv").path))
            let split = try review(
                ["records", "dedup", "records.jsonl", "-o", "unique.jsonl", "--report", "duplicates.csv", "--threshold", "2"], in: dir)
            #expect(split.status == 2)
        }
    }
}
