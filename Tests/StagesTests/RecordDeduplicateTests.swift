import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

@Suite struct RecordDeduplicateTests {
    func fixture() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/dedup/records.jsonl", withExtension: nil))
    }

    func context(records: URL, decisions: [URL] = [], outputs: [URL], parameters: [JSONMember] = []) -> StepContext {
        let step = Step(
            id: "deduplicate", stageID: "2-search", action: .builtin("records/deduplicate"), parameters: parameters,
            inputs: ["out/records.jsonl"] + decisions.map { _ in "dedup-decisions.csv" },
            outputs: ["out/unique.jsonl", "out/duplicates.csv", "out/uncertain.csv"], environment: [], description: nil,
            location: SourceLocation(file: "workflow.json", line: 1, column: 1, path: ""), inputLocations: [], outputLocations: [])
        let inputs = [[ResolvedFile(path: "stages/2-search/out/records.jsonl", location: records.path)]]
            + decisions.map { [ResolvedFile(path: "stages/2-search/dedup-decisions.csv", location: $0.path)] }
        return StepContext(step: step, root: URL(fileURLWithPath: "/"), inputs: inputs, outputs: outputs, progress: { _ in })
    }

    func outputs(_ dir: URL) -> [URL] {
        ["unique.jsonl", "duplicates.csv", "uncertain.csv"].map { dir.appendingPathComponent($0) }
    }

    @Test func writesUniqueRecordsTheReportAndTheUncertainPairs() throws {
        try withTemporaryDirectory { dir in
            let out = outputs(dir)
            let outcome = try RecordsDeduplicateStep().run(context(records: try fixture(), outputs: out))
            #expect(outcome.summary == "3 duplicates removed in 2 clusters, 8 unique, 1 uncertain pair")
            #expect(outcome.counts == ["records": 11, "duplicates_removed": 3, "clusters": 2, "unique": 8, "uncertain_pairs": 1])
            let unique = try readFile(out[0]).split(separator: "\n")
            #expect(unique.count == 8)
            #expect(unique[0].hasPrefix("{\"abstract\":"))
            #expect(unique[0].contains("\"id\":\"a:1\""))
            #expect(unique[0].contains("\"members\":[\"a:1\",\"b:1\",\"c:1\"]"))
            let report = try readFile(out[1])
            #expect(report.hasPrefix("cluster,record_id,source_id,status,match,score\n1,a:1,,kept,,\n"))
            #expect(report.contains("\n2,c:2,,removed,pmid+"))
            #expect(try readFile(out[2]).hasPrefix("record_id_a,record_id_b,score,match\na:5,c:3,"))
            // The same input gives the same bytes.
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("again"), withIntermediateDirectories: true)
            let again = outputs(dir.appendingPathComponent("again"))
            _ = try RecordsDeduplicateStep().run(context(records: try fixture(), outputs: again))
            for (a, b) in zip(out, again) { #expect(try Data(contentsOf: a) == Data(contentsOf: b)) }
        }
    }

    @Test func decisionsFileIsHonoured() throws {
        try withTemporaryDirectory { dir in
            let decisions = dir.appendingPathComponent("dedup-decisions.csv")
            try writeFile("record_id_a,record_id_b,decision\na:5,c:3,same\na:1,c:1,different\n", to: decisions)
            let out = outputs(dir)
            let outcome = try RecordsDeduplicateStep().run(context(records: try fixture(), decisions: [decisions], outputs: out))
            #expect(outcome.counts["clusters"] == 3)
            #expect(outcome.counts["uncertain_pairs"] == 0)
            let report = try readFile(out[1])
            #expect(report.contains("a:5,,kept,,\n"))
            #expect(report.contains(",c:3,,removed,decision,1.000\n"))
            #expect(!report.contains(",c:1,"))
        }
    }

    @Test func unknownRecordInDecisionsIsBadInputNamingFileAndLine() throws {
        try withTemporaryDirectory { dir in
            let decisions = dir.appendingPathComponent("dedup-decisions.csv")
            try writeFile("record_id_a,record_id_b,decision\na:1,b:1,same\na:1,q:7,different\n", to: decisions)
            let out = outputs(dir)
            let error = #expect(throws: RunnerError.self) {
                try RecordsDeduplicateStep().run(context(records: try fixture(), decisions: [decisions], outputs: out))
            }
            #expect(error?.exitCode == 2)
            #expect(error?.description.contains("stages/2-search/dedup-decisions.csv:3") == true)
            #expect(error?.description.contains("q:7") == true)
            #expect(!FileManager.default.fileExists(atPath: out[0].path))
        }
    }

    @Test func thresholdParameterIsUsed() throws {
        try withTemporaryDirectory { dir in
            let out = outputs(dir)
            let outcome = try RecordsDeduplicateStep().run(
                context(records: try fixture(), outputs: out, parameters: [JSONMember("threshold", .number("0.8"))]))
            #expect(outcome.counts["clusters"] == 3)
        }
    }
}
