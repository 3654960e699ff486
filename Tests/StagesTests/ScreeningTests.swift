import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

/// A built-in step's context over files written into a temporary folder.
struct StepHarness {
    let dir: URL

    func write(_ path: String, _ text: String) throws -> ResolvedFile {
        let url = dir.appendingPathComponent(path)
        try writeFile(text, to: url)
        return ResolvedFile(path: path, location: url.path)
    }

    func context(_ kind: String, inputs: [[ResolvedFile]], outputs: [String], parameters: [JSONMember]) -> StepContext {
        let step = Step(
            id: "step", stageID: "3-selection", action: .builtin(kind), parameters: parameters, inputs: inputs.map { $0.first?.path ?? "" },
            outputs: outputs, environment: [], description: nil, location: SourceLocation(file: "workflow.json", line: 1, column: 1, path: ""),
            inputLocations: [], outputLocations: [])
        return StepContext(step: step, root: dir, inputs: inputs, outputs: outputs.map { dir.appendingPathComponent($0) }, progress: { _ in })
    }

    func read(_ path: String) throws -> String { try readFile(dir.appendingPathComponent(path)) }
}

func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

/// Canonical records (JSON Lines) of a small review: id, title, year, database.
func recordsJSONL(_ records: [(String, String, Int, String?)]) -> String {
    records.enumerated().map { index, r in
        let database = r.3.map { "\"database\":\"\($0)\"," } ?? ""
        return "{\"id\":\"\(r.0)\",\"source\":{\(database)\"file\":\"x\",\"format\":\"ris\",\"line\":\(index + 1)},\"title\":\"\(r.1)\",\"year\":\(r.2)}"
    }.joined(separator: "\n") + "\n"
}

func inputError(_ body: () throws -> Void) -> InputError? {
    do { try body() } catch let error as RunnerError {
        if case .input(let input) = error { return input }
    } catch {}
    return nil
}

@Suite struct KappaTests {
    struct Case: Decodable {
        var name: String
        var table: [[Double]]
        var kappa: Double
        var std_kappa: Double
        var kappa_ci_low: Double
        var kappa_ci_high: Double
    }

    struct Expected: Decodable { var cases: [Case] }

    func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/screening/\(name)", withExtension: nil))
    }

    /// Pairs of ratings that give `table` (rows rater A, columns rater B), categories c0, c1, c2…
    func pairs(_ table: [[Double]]) -> [(String, String)] {
        var out: [(String, String)] = []
        for (i, row) in table.enumerated() {
            for (j, count) in row.enumerated() { out += Array(repeating: ("c\(i)", "c\(j)"), count: Int(count)) }
        }
        return out
    }

    func check(_ expected: [Case]) {
        for item in expected {
            for kappa in [CohenKappa(table: item.table), CohenKappa(pairs: pairs(item.table))] {
                #expect(abs((kappa.kappa ?? .nan) - item.kappa) < 1e-12, "\(item.name) kappa")
                #expect(abs((kappa.standardError ?? .nan) - item.std_kappa) < 1e-12, "\(item.name) std_kappa")
                #expect(abs((kappa.ciLow ?? .nan) - item.kappa_ci_low) < 1e-12, "\(item.name) low")
                #expect(abs((kappa.ciHigh ?? .nan) - item.kappa_ci_high) < 1e-12, "\(item.name) high")
            }
        }
    }

    @Test func kappaAndIntervalEqualStatsmodelsRecordedValues() throws {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: try fixture("kappa-statsmodels.json")))
        #expect(expected.cases.count >= 10)
        #expect(expected.cases.contains { $0.table.count == 3 })
        check(expected.cases)
    }

    @Test func kappaAndIntervalEqualStatsmodelsRunNow() throws {
        let python = RepositoryPaths.packageRoot.appendingPathComponent("Benchmarks/.venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            print("skipped: Benchmarks/.venv is absent (python3 -m venv Benchmarks/.venv && Benchmarks/.venv/bin/pip install statsmodels); the recorded values are checked instead")
            return
        }
        let result = try runProgram(python.path, [try fixture("statsmodels_kappa.py").path, try fixture("kappa-cases.json").path])
        guard result.status == 0 else {
            print("skipped: statsmodels is not installed in Benchmarks/.venv: \(result.stderr)")
            return
        }
        let live = try JSONDecoder().decode(Expected.self, from: Data(result.stdout.utf8))
        #expect(live.cases.count >= 10)
        check(live.cases)
    }

    @Test func undefinedKappaIsNil() {
        let all = CohenKappa(pairs: Array(repeating: ("include", "include"), count: 5))
        #expect(all.n == 5 && all.percentAgreement == 1 && all.kappa == nil && all.ciLow == nil)
        let none = CohenKappa(pairs: [(String, String)]())
        #expect(none.n == 0 && none.percentAgreement == nil && none.kappa == nil)
    }

    @Test func handWorkedTwoByTwo() {
        // 20 include/include, 5 include/exclude, 10 exclude/include, 15 exclude/exclude: po = 0.7, pe = 0.5, kappa = 0.4.
        let kappa = CohenKappa(table: [[20, 5], [10, 15]])
        #expect(abs((kappa.kappa ?? 0) - 0.4) < 1e-12)
        #expect(abs((kappa.percentAgreement ?? 0) - 0.7) < 1e-12)
    }
}

@Suite struct DecisionFileTests {
    @Test func readsRowsAndRejectsBadOnesWithLine() throws {
        let good = try DecisionFile(path: "decisions/abstract-first.csv", text: "record_id,decision,reason,note\na:1,include,,\"a, quoted\"\"note\"\na:2,exclude,off-topic,\n", reasons: ["off-topic"])
        #expect(good.phase == "abstract" && good.reviewer == "first")
        #expect(good.rows.map(\.recordID) == ["a:1", "a:2"])
        #expect(good.rows[0].note == "a, quoted\"note")
        #expect(good.rows[1].line == 3)
        let cases: [(String, Int, String)] = [
            ("a:1,include,,\na:1,exclude,,\n", 3, "decided twice"),
            ("a:1,perhaps,,\n", 2, "not include, exclude or maybe"),
            ("a:1,exclude,unknown-reason,\n", 2, "not in the workflow's list"),
            ("a:1,exclude,,\n", 2, "without a reason"),
            ("a:1,include,off-topic,\n", 2, "included but has the reason"),
            ("a:1,include,\n", 2, "fields where the header has 4"),
        ]
        for (body, line, message) in cases {
            let error = inputError { _ = try DecisionFile(path: "d/abstract-first.csv", text: "record_id,decision,reason,note\n" + body, reasons: ["off-topic"], reasonRequired: true) }
            #expect(error?.line == line, "\(body)")
            #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error") for \(body)")
            #expect(error?.file == "d/abstract-first.csv")
        }
        let header = inputError { _ = try DecisionFile(path: "x.csv", text: "id,decision\n") }
        #expect(header?.line == 1)
    }

    @Test func nameParts() {
        #expect(DecisionFile.nameParts("decisions/fulltext-second.csv")?.reviewer == "second")
        #expect(DecisionFile.nameParts("decisions/full-text-second.csv") == nil)
        #expect(DecisionFile.nameParts("decisions/Abstract-first.csv") == nil)
    }
}

@Suite struct ScreeningStepTests {
    static let reasons = ["off-topic", "review"]
    static let records = recordsJSONL([
        ("medline:1", "Peer workers in teams", 2019, "MEDLINE"), ("medline:2", "A review of peer support", 2018, "MEDLINE"),
        ("medline:3", "Peer specialists and recovery", 2020, "MEDLINE"), ("scopus:1", "Trust and peer work", 2021, "Scopus"),
        ("scopus:2", "Co-design with peers", 2016, "Scopus"), ("wos:1", "Nothing about peers", 2017, "Web of Science"),
    ])

    @Test func sampleIsSeededReproducibleAndStratifiable() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let ids = (1...50).map { "medline:\($0)" } + (1...30).map { "scopus:\($0)" }
            let records = try h.write("unique.jsonl", recordsJSONL(ids.map { ($0, "t", 2020, $0.hasPrefix("medline") ? "MEDLINE" : "Scopus") }))
            let first = try h.write("decisions/abstract-first.csv", "record_id,decision,reason,note\n" + ids.map { "\($0),include,,\n" }.joined())
            func draw(_ parameters: [JSONMember], _ out: String) throws -> [Substring] {
                _ = try ScreeningSampleStep().run(h.context("screening/sample", inputs: [[records], [first]], outputs: [out], parameters: parameters))
                return try h.read(out).split(separator: "\n")
            }
            let base = [JSONMember("phases", strings(["abstract"])), JSONMember("reviewer", .string("first")), JSONMember("seed", .string("s1"))]
            let a = try draw(base + [JSONMember("fraction", .number("0.2"))], "a.csv")
            let b = try draw(base + [JSONMember("fraction", .number("0.2"))], "b.csv")
            #expect(a == b)
            #expect(a.first == "phase,record_id,database,rank,key")
            #expect(a.count == 1 + 16)
            let other = try draw([JSONMember("phases", strings(["abstract"])), JSONMember("reviewer", .string("first")), JSONMember("seed", .string("s2")), JSONMember("fraction", .number("0.2"))], "c.csv")
            #expect(other != a)
            let counted = try draw(base + [JSONMember("count", .number("7"))], "d.csv")
            #expect(counted.count == 1 + 7)
            let stratified = try draw(base + [JSONMember("count", .number("8")), JSONMember("stratify", .string("database"))], "e.csv")
            #expect(stratified.filter { $0.contains(",MEDLINE,") }.count == 5)
            #expect(stratified.filter { $0.contains(",Scopus,") }.count == 3)
            // The key is SHA-256 of seed:phase:id, so the sample is the records of smallest key.
            let keys = ids.map { ScreeningSampler.key(seed: "s1", phase: "abstract", recordID: $0) }.sorted().prefix(16)
            #expect(Set(a.dropFirst().map { String($0.split(separator: ",")[4]) }) == Set(keys))
        }
    }

    @Test func sampleRejectsAnUnknownRecordWithItsLine() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let records = try h.write("unique.jsonl", Self.records)
            let first = try h.write("decisions/abstract-first.csv", "record_id,decision,reason,note\nmedline:1,include,,\nmedline:9,include,,\n")
            let error = inputError {
                _ = try ScreeningSampleStep().run(
                    h.context("screening/sample", inputs: [[records], [first]], outputs: ["s.csv"],
                        parameters: [JSONMember("phases", strings(["abstract"])), JSONMember("reviewer", .string("first")), JSONMember("seed", .string("x")), JSONMember("fraction", .number("0.5"))]))
            }
            #expect(error?.description == "decisions/abstract-first.csv:3:1: unknown record id \"medline:9\" (not a record of unique.jsonl)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.csv").path))
        }
    }

    @Test func agreementStepWritesTheContractJSON() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let a = try h.write("decisions/abstract-first.csv", "record_id,decision,reason,note\nm:1,include,,\nm:2,exclude,,\nm:3,include,,\nm:4,exclude,,\nm:5,include,,\n")
            let b = try h.write("decisions/abstract-second.csv", "record_id,decision,reason,note\nm:1,include,,\nm:2,include,,\nm:4,exclude,,\nm:5,include,,\n")
            _ = try ScreeningAgreementStep().run(h.context("screening/agreement", inputs: [[a], [b]], outputs: ["out/agreement-abstract.json"], parameters: [JSONMember("phase", .string("abstract"))]))
            let json = try JSONParser.parse(Array(try h.read("out/agreement-abstract.json").utf8)).value
            guard case .object(let members) = json else { Issue.record("not an object"); return }
            #expect(members.map(\.key) == ["conflicts", "kappa", "kappa_ci_high", "kappa_ci_low", "n", "percent_agreement", "phase", "reviewer_a", "reviewer_b"])
            #expect(json["n"] == .number("4"))
            #expect(json["percent_agreement"] == .number("0.7500"))
            #expect(json["kappa"] == .number("0.5000"))
            #expect(json["conflicts"] == strings(["m:2"]))
            #expect(json["reviewer_b"] == .string("second"))
        }
    }

    /// A three-phase-ready fixture: phase `abstract` over six records.
    func resolveContext(_ h: StepHarness, first: String, second: String, resolutions: String, extra: [ResolvedFile] = [], parameters: [JSONMember] = []) throws -> StepContext {
        let records = try h.write("unique.jsonl", Self.records)
        let a = try h.write("decisions/abstract-first.csv", "record_id,decision,reason,note\n" + first)
        let b = try h.write("decisions/abstract-second.csv", "record_id,decision,reason,note\n" + second)
        let r = try h.write("resolutions/abstract.csv", "record_id,decision,reason,note\n" + resolutions)
        return h.context(
            "screening/resolve", inputs: [[records], [a, b], [r], extra], outputs: ["out/final-abstract.csv", "out/included-abstract.jsonl"],
            parameters: [JSONMember("phase", .string("abstract")), JSONMember("reviewers", strings(["first", "second"])), JSONMember("reasons", strings(Self.reasons))] + parameters)
    }

    static let firstAll = "medline:1,include,,\nmedline:2,exclude,review,\nmedline:3,maybe,,\nscopus:1,include,,\nscopus:2,include,,\nwos:1,exclude,off-topic,\n"

    @Test func resolveWritesFinalDecisionsBasisAndIncludedRecords() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let other = try h.write("other-sources/other-sources.csv", "source,authors,year,title\nexpert,\"Doe, J.; Roe, R.\",2022,A study only experts knew\nreference-list,\"Lee, K.\",2021,Trust and peer work\n")
            let context = try resolveContext(
                h, first: Self.firstAll, second: "medline:1,include,,\nscopus:1,exclude,off-topic,\nwos:1,exclude,off-topic,\n",
                resolutions: "medline:3,include,,discussed\nscopus:1,include,,discussed\n", extra: [other],
                parameters: [])
            let first = try h.write("decisions/abstract-first.csv", "record_id,decision,reason,note\n" + Self.firstAll + "other-sources:1,include,,\n")
            let patched = StepContext(step: context.step, root: context.root, inputs: [context.inputs[0], [first, context.inputs[1][1]], context.inputs[2], context.inputs[3]], outputs: context.outputs, progress: { _ in })
            let outcome = try ScreeningResolveStep().run(patched)
            #expect(try h.read("out/final-abstract.csv") == """
                record_id,decision,reason,basis,source
                medline:1,include,,agreed,database
                medline:2,exclude,review,single,database
                medline:3,include,,resolved,database
                scopus:1,include,,resolved,database
                scopus:2,include,,single,database
                wos:1,exclude,off-topic,agreed,database
                other-sources:1,include,,single,expert

                """)
            let included = try h.read("out/included-abstract.jsonl").split(separator: "\n")
            #expect(included.count == 5)
            #expect(included.last?.contains("\"id\":\"other-sources:1\"") == true)
            #expect(included.last?.contains("\"raw\":[[\"source\",\"expert\"]") == true)
            #expect(outcome.counts["other_sources"] == 1)
            #expect(outcome.counts["other_sources_in_databases"] == 1)
            #expect(outcome.counts["resolved"] == 2)
        }
    }

    @Test func aConflictWithoutResolutionStopsAndListsTheRecords() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let context = try resolveContext(h, first: Self.firstAll, second: "medline:1,exclude,off-topic,\n", resolutions: "")
            #expect(throws: RunnerError.stepFailed(step: "3-selection/step", message: "2 conflicts in phase abstract without a resolution in resolutions/abstract.csv: medline:1, medline:3")) {
                try ScreeningResolveStep().run(context)
            }
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/final-abstract.csv").path))
        }
    }

    @Test func badRowsExitTwoWithFileAndLine() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let cases: [(String, String, String, String)] = [
                (Self.firstAll + "nope:1,include,,\n", "", "", "decisions/abstract-first.csv:8:1: unknown record id \"nope:1\""),
                (Self.firstAll, "medline:1,exclude,not-a-reason,\n", "", "decisions/abstract-second.csv:2:19: reason \"not-a-reason\""),
                (Self.firstAll, "medline:2,exclude,review,\nmedline:2,exclude,review,\n", "medline:3,include,,\n", "decisions/abstract-second.csv:3:1: record medline:2 is decided twice"),
                (Self.firstAll, "", "medline:3,include,,\nmedline:2,include,,\n", "resolutions/abstract.csv:3:1: record medline:2 has no disagreement"),
                (Self.firstAll, "", "medline:3,retrieve,,\n", "resolutions/abstract.csv:2:11: a resolution decides include, exclude"),
                (String(Self.firstAll.dropLast("wos:1,exclude,off-topic,\n".count)), "", "medline:3,include,,\n", "decisions/abstract-first.csv: has no decision for 1 record of phase abstract: wos:1"),
            ]
            for (first, second, resolutions, message) in cases {
                let context = try resolveContext(h, first: first, second: second, resolutions: resolutions)
                let error = inputError { _ = try ScreeningResolveStep().run(context) }
                #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "no error") for \(message)")
            }
        }
    }

    @Test func aRecordTheLastPhaseExcludedIsNotInThisPhase() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let all = try h.write("unique.jsonl", Self.records)
            let kept = try h.write("out/included-abstract.jsonl", recordsJSONL([("medline:1", "Peer workers in teams", 2019, "MEDLINE")]))
            let a = try h.write("decisions/fulltext-first.csv", "record_id,decision,reason,note\nmedline:1,include,,\nmedline:2,exclude,review,\n")
            let r = try h.write("resolutions/fulltext.csv", "record_id,decision,reason,note\n")
            let context = h.context(
                "screening/resolve", inputs: [[kept], [a], [r], [all]], outputs: ["f.csv", "i.jsonl"],
                parameters: [JSONMember("phase", .string("fulltext")), JSONMember("reviewers", strings(["first", "second"])), JSONMember("reasons", strings(Self.reasons)), JSONMember("reason_required", .bool(true))])
            let error = inputError { _ = try ScreeningResolveStep().run(context) }
            #expect(error?.description == "decisions/fulltext-first.csv:3:1: record medline:2 is not in phase fulltext: the phase before did not keep it")
        }
    }

    @Test func notRetrievedIsReportedInARetrievalPhase() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let context = try resolveContext(
                h, first: String(Self.firstAll.dropLast("wos:1,exclude,off-topic,\n".count)), second: "", resolutions: "medline:3,include,,\nwos:1,not-retrieved,,no copy found\n",
                parameters: [JSONMember("retrieval", .bool(true))])
            let outcome = try ScreeningResolveStep().run(context)
            #expect(try h.read("out/final-abstract.csv").contains("wos:1,not-retrieved,,resolved,database\n"))
            #expect(outcome.counts["not_retrieved"] == 1)
            #expect(outcome.summary == "abstract: 6 screened, 4 included, 1 not retrieved")
        }
    }
}

@Suite struct RayyanImportTests {
    @Test func splitsTheNotesIntoOneFilePerReviewer() throws {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let records = try h.write("unique.jsonl", recordsJSONL([("medline:1", "Peer workers in teams", 2019, "MEDLINE"), ("scopus:1", "Trust and peer work", 2021, "Scopus")]))
            let export = try h.write("rayyan/articles.csv", """
                key,title,authors,journal,issn,volume,issue,pages,year,publisher,url,abstract,notes,doi,keywords
                1,Trust and peer work,"Lee, K.",J,,,,,2021,,,,"RAYYAN-INCLUSION: {""Ana""=>""Excluded"", ""Ben""=>""Included""} | RAYYAN-EXCLUSION-REASONS: wrong population",,
                2,Peer workers in teams,"Doe, J.",J,,,,,2019,,,,"RAYYAN-INCLUSION: {""Ana""=>""Included""} | USER-NOTES: {""Ana""=>[""check team""]}",,

                """)
            let context = h.context(
                "screening/import-rayyan", inputs: [[export], [records]], outputs: ["decisions/abstract-first.csv", "decisions/abstract-second.csv"],
                parameters: [
                    JSONMember("phase", .string("abstract")), JSONMember("reviewers", .object([JSONMember("Ana", .string("first")), JSONMember("Ben", .string("second"))])),
                    JSONMember("reasons", strings(["not-peer-worker"])), JSONMember("reason_map", .object([JSONMember("wrong population", .string("not-peer-worker"))])),
                ])
            let outcome = try ScreeningImportRayyanStep().run(context)
            #expect(try h.read("decisions/abstract-first.csv") == "record_id,decision,reason,note\nscopus:1,exclude,not-peer-worker,\nmedline:1,include,,check team\n")
            #expect(try h.read("decisions/abstract-second.csv") == "record_id,decision,reason,note\nscopus:1,include,,\n")
            #expect(outcome.counts == ["first": 2, "second": 1])
            let unmapped = h.context(
                "screening/import-rayyan", inputs: [[export], [records]], outputs: ["decisions/abstract-first.csv", "decisions/abstract-second.csv"],
                parameters: [JSONMember("phase", .string("abstract")), JSONMember("reviewers", .object([JSONMember("Ana", .string("first")), JSONMember("Ben", .string("second"))])), JSONMember("reasons", strings(["not-peer-worker"]))])
            let error = inputError { _ = try ScreeningImportRayyanStep().run(unmapped) }
            #expect(error?.file == "rayyan/articles.csv" && error?.line == 2)
            #expect(error?.description.contains("\"wrong population\" has no reason id") == true)
        }
    }
}

@Suite struct ChartingTests {
    static let codebook = """
        {"variables": [
          {"name": "record_id", "type": "text", "required": true},
          {"name": "year", "type": "integer", "required": true},
          {"name": "design", "type": "category", "allowed": ["trial", "qualitative", "not-reported"], "required": true},
          {"name": "cycle", "type": "category", "allowed": ["co-design", "co-delivery"], "multiple": true, "required": true},
          {"name": "context", "type": "text"}
        ]}
        """
    static let included = recordsJSONL([("medline:1", "a", 2019, "MEDLINE"), ("scopus:1", "b", 2021, "Scopus")])

    func validate(_ charting: String) throws -> String {
        try withTemporaryDirectory { dir in
            let h = StepHarness(dir: dir)
            let codebook = try h.write("codebook.json", Self.codebook)
            let table = try h.write("charting.csv", charting)
            let included = try h.write("included.jsonl", Self.included)
            _ = try ChartingValidateStep().run(h.context("charting/validate", inputs: [[codebook], [table], [included]], outputs: ["charted.csv"], parameters: []))
            return try h.read("charted.csv")
        }
    }

    @Test func writesTheChartedTableInIncludedOrder() throws {
        let charted = try validate("record_id,year,design,cycle,context\nscopus:1,2021,trial,co-delivery;co-design,\"clinic, rural\"\nmedline:1,2019,not-reported,co-delivery,\n")
        #expect(charted == "record_id,year,design,cycle,context\nmedline:1,2019,not-reported,co-delivery,\nscopus:1,2021,trial,co-design;co-delivery,\"clinic, rural\"\n")
    }

    @Test func errorsNameFileLineAndColumn() throws {
        let header = "record_id,year,design,cycle,context\n"
        let cases: [(String, String)] = [
            ("medline:1,2019,survey,co-delivery,\nscopus:1,2021,trial,co-delivery,\n", "charting.csv:2:16: design \"survey\" is not allowed"),
            ("medline:1,2018,trial,co-delivery,\nscopus:1,2021,trial,co-delivery,\n", "charting.csv:2:11: year 2018 differs"),
            ("medline:1,2019,trial;qualitative,co-delivery,\nscopus:1,2021,trial,co-delivery,\n", "charting.csv:2:16: design takes one value"),
            ("medline:1,2019,trial,,\nscopus:1,2021,trial,co-delivery,\n", "charting.csv:2:22: cycle is required"),
            ("medline:1,2019,trial,co-delivery,\nwos:1,2021,trial,co-delivery,\n", "charting.csv:3:1: record \"wos:1\" is not an included study"),
            ("medline:1,2019,trial,co-delivery,\nmedline:1,2019,trial,co-delivery,\n", "charting.csv:3:1: record medline:1 is charted twice"),
            ("medline:1,2019,trial,co-delivery,\n", "charting.csv: has no row for 1 included study: scopus:1"),
            ("medline:1,x,trial,co-delivery,\nscopus:1,2021,trial,co-delivery,\n", "charting.csv:2:11: year must be an integer"),
        ]
        for (body, message) in cases {
            let error = inputError { _ = try validate(header + body) }
            #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "no error") for \(message)")
        }
        let wrongHeader = inputError { _ = try validate("record_id,design,year,cycle,context\n") }
        #expect(wrongHeader?.line == 1)
    }

    @Test func codebookErrorsNameTheJSONPath() {
        let error = inputError { _ = try Codebook(file: "codebook.json", bytes: Array("{\"variables\": [{\"name\": \"x\", \"type\": \"category\"}]}".utf8)) }
        #expect(error?.description.contains("variables[0].allowed") == true)
        let type = inputError { _ = try Codebook(file: "codebook.json", bytes: Array("{\"variables\": [{\"name\": \"x\", \"type\": \"date\"}]}".utf8)) }
        #expect(type?.description.hasPrefix("codebook.json:1:") == true)
    }
}
