import Foundation
import ReviewTestSupport
import Testing

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct RecordsCommandTests {
    func review(_ arguments: [String], in dir: URL) throws -> ProcessResult {
        try runProgram(RepositoryPaths.reviewBinary, arguments, in: dir)
    }

    @Test func importsTheExampleExportsAndRoundTripsThroughRIS() throws {
        try withTemporaryDirectory { dir in
            let exports = RepositoryPaths.packageRoot.appendingPathComponent("stages/2-search/exports")
            let files = ["medline.ris", "scopus.csv", "wos.txt"].map { exports.appendingPathComponent($0).path }
            let imported = try review(["records", "import"] + files + ["-o", "records.jsonl", "--identification", "id.json"], in: dir)
            #expect(imported.status == 0, "\(imported.stderr)")
            let lines = try readFile(dir.appendingPathComponent("records.jsonl")).split(separator: "\n")
            let expected = try files.map { try readFile(URL(fileURLWithPath: $0)) }
            let risRecords = expected[0].components(separatedBy: "\nER  -").count - 1
            let csvRecords = expected[1].split(separator: "\n").count - 1
            let wosRecords = expected[2].split(separator: "\n").filter { $0 == "ER" }.count
            #expect(lines.count == risRecords + csvRecords + wosRecords)
            #expect(imported.stdout.contains("\(lines.count) records imported from 3 exports"))
            let exported = try review(["records", "export", "records.jsonl", "--to", "ris", "-o", "all.ris"], in: dir)
            #expect(exported.status == 0, "\(exported.stderr)")
            let again = try review(["records", "import", "all.ris", "-o", "again.jsonl"], in: dir)
            #expect(again.status == 0)
            #expect(try readFile(dir.appendingPathComponent("again.jsonl")).split(separator: "\n").count == lines.count)
            let csv = try review(["records", "export", "records.jsonl", "--to", "csv", "-o", "all.csv"], in: dir)
            #expect(csv.status == 0)
        }
    }

    @Test func badInputExitsTwoAndWritesNothing() throws {
        try withTemporaryDirectory { dir in
            try writeFile("not a bibliography\n", to: dir.appendingPathComponent("notes.txt"))
            let unknown = try review(["records", "import", "notes.txt", "-o", "records.jsonl"], in: dir)
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("notes.txt: not a recognised export"))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("records.jsonl").path))
            try writeFile("TY  - JOUR\nTI  - fine\nER  - \n\nTI  - no type\nER  - \n", to: dir.appendingPathComponent("broken.ris"))
            let strict = try review(["records", "import", "broken.ris", "-o", "records.jsonl", "--strict"], in: dir)
            #expect(strict.status == 2)
            #expect(strict.stderr.contains("broken.ris:5"))
            let lenient = try review(["records", "import", "broken.ris", "-o", "records.jsonl"], in: dir)
            #expect(lenient.status == 0)
            #expect(lenient.stdout.contains("1 malformed skipped"))
        }
    }
}
