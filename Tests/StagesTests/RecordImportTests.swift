import Bibliography
import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

@Suite struct RecordImportTests {
    func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/exports/\(name)", withExtension: nil))
    }

    func context(_ files: [(String, URL)], outputs: [URL], parameters: [JSONMember] = []) -> StepContext {
        let step = Step(
            id: "import", stageID: "2-search", action: .builtin("records/import"), parameters: parameters, inputs: ["exports/*"],
            outputs: ["out/records.jsonl", "out/identification.json"], environment: [], description: nil,
            location: SourceLocation(file: "workflow.json", line: 1, column: 1, path: ""), inputLocations: [], outputLocations: [])
        return StepContext(
            step: step, root: URL(fileURLWithPath: "/"), inputs: [files.map { ResolvedFile(path: $0.0, location: $0.1.path) }], outputs: outputs,
            progress: { _ in })
    }

    @Test func importsEveryExportAndCountsPerDatabase() throws {
        try withTemporaryDirectory { dir in
            let outputs = [dir.appendingPathComponent("records.jsonl"), dir.appendingPathComponent("identification.json")]
            let files = [("stages/2-search/exports/ovid.ris", try fixture("ovid.ris")), ("stages/2-search/exports/scopus.csv", try fixture("scopus.csv"))]
            let outcome = try RecordsImportStep().run(
                context(files, outputs: outputs, parameters: [JSONMember("databases", .object([JSONMember("ovid", .string("Ovid MEDLINE"))]))]))
            #expect(outcome.summary == "3 records imported from 2 exports")
            #expect(outcome.counts == ["records": 3, "skipped": 0, "exports": 2])
            let lines = try readFile(outputs[0]).split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[0].contains("\"id\":\"ovid:1\""))
            #expect(lines[2].contains("\"id\":\"scopus:1\""))
            #expect(lines[0].contains("\"database\":\"Ovid MEDLINE\""))
            let identification = try JSONParser.parse(Array(try readFile(outputs[1]).utf8)).value
            #expect(identification["databases"] == .object([JSONMember("Ovid MEDLINE", .number("2")), JSONMember("Scopus", .number("1"))]))
            #expect(identification["formats"]?["ris"] == .number("2"))
            #expect(identification["records"] == .number("3"))
        }
    }

    /// An export large enough to be parsed in chunks on every core is written as one thread reads it, in order,
    /// with progress each time the count passes a multiple of 10,000.
    @Test func aLargeRISExportImportsInOrderWithProgress() throws {
        var text = ""
        for n in 1...45_000 {
            text += "TY  - JOUR\nTI  - A title of record \(n)\nAU  - Family\(n % 97), G.\nPY  - \(1990 + n % 30)\n"
            text += "AB  - The abstract of record \(n), long enough for the export to be read in chunks.\n"
            text += n % 1_000 == 0 ? "ER  - \nNL  - no TY before this one\nER  - \n\n" : "ER  - \n\n"
        }
        #expect(text.utf8.count > 4 << 20)
        try withTemporaryDirectory { dir in
            let export = dir.appendingPathComponent("large.ris")
            try Data(text.utf8).write(to: export)
            let output = dir.appendingPathComponent("records.jsonl")
            var messages: [String] = []
            let summary = try RecordImport.run(
                files: [(path: "exports/large.ris", location: export.path)], format: nil, strict: false, output: output,
                progress: { messages.append($0) })
            #expect(summary.files.map(\.records) == [45_000])
            #expect(summary.issues.count == 45)
            #expect(messages.count == 4)
            let counts = messages.compactMap { Int($0.prefix { $0.isNumber }) }
            #expect(zip(counts, [10_000, 20_000, 30_000, 40_000]).allSatisfy { $0 >= $1 && $0 < $1 + 10_000 })
            let oneThread = try RecordReader.read(
                contentsOf: export, fileName: "exports/large.ris", options: ReadOptions(threads: 1))
            #expect(try Data(contentsOf: output) == RecordWriter.jsonLines(oneThread.records))
        }
    }

    @Test func outputIsByteIdenticalOnEveryRun() throws {
        try withTemporaryDirectory { dir in
            var texts: [String] = []
            for run in 0..<2 {
                let outputs = [dir.appendingPathComponent("r\(run).jsonl"), dir.appendingPathComponent("i\(run).json")]
                _ = try RecordsImportStep().run(context([("exports/ovid.ris", try fixture("ovid.ris"))], outputs: outputs))
                texts.append(try readFile(outputs[0]) + readFile(outputs[1]))
            }
            #expect(texts[0] == texts[1])
            #expect(!texts[0].contains("\r"))
        }
    }

    @Test func twoFilesWithOneStemAreRefused() throws {
        try withTemporaryDirectory { dir in
            let outputs = [dir.appendingPathComponent("records.jsonl"), dir.appendingPathComponent("identification.json")]
            let files = [("a/export.ris", try fixture("ovid.ris")), ("b/export.ris", try fixture("ovid.ris"))]
            let error = #expect(throws: RunnerError.self) { try RecordsImportStep().run(context(files, outputs: outputs)) }
            #expect(error?.exitCode == 2)
            #expect(error?.description.contains("same stem \"export\" as a/export.ris") == true)
        }
    }

    @Test func malformedRecordStopsAStrictImportWithItsLine() throws {
        try withTemporaryDirectory { dir in
            let broken = dir.appendingPathComponent("broken.ris")
            try writeFile("TY  - JOUR\nTI  - fine\nER  - \n\nTI  - no type line\nER  - \n", to: broken)
            let outputs = [dir.appendingPathComponent("records.jsonl"), dir.appendingPathComponent("identification.json")]
            let lenient = try RecordsImportStep().run(context([("broken.ris", broken)], outputs: outputs))
            #expect(lenient.counts["records"] == 1)
            #expect(lenient.counts["skipped"] == 1)
            let error = #expect(throws: RunnerError.self) {
                try RecordsImportStep().run(context([("broken.ris", broken)], outputs: outputs, parameters: [JSONMember("strict", .bool(true))]))
            }
            guard case .input(let input) = error else {
                Issue.record("expected an input error, got \(String(describing: error))")
                return
            }
            #expect(input.file == "broken.ris")
            #expect(input.line == 5)
        }
    }
}
