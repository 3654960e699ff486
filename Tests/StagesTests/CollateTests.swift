import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The invented review of Fixtures/collate, copied into a temporary folder, with contexts for the three collate steps.
struct CollateFixture {
    let root: URL

    static let phases: JSONMember = JSONMember("phases", .array([.string("abstract"), .string("fulltext"), .string("final")]))
    static let selectionInputs = [
        "stages/2-search/out/identification.json", "stages/2-search/out/records.jsonl", "stages/2-search/out/unique.jsonl",
        "stages/2-search/out/duplicates.csv", "stages/3-selection/out/included.jsonl",
    ]
    static let finals = ["stages/3-selection/out/final-abstract.csv", "stages/3-selection/out/final-fulltext.csv", "stages/3-selection/out/final-final.csv"]

    init(in dir: URL) throws {
        root = dir.appendingPathComponent("review")
        let source = try #require(Bundle.module.url(forResource: "Fixtures/collate", withExtension: nil))
        try FileManager.default.copyItem(at: source, to: root)
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }
    func read(_ path: String) throws -> String { try readFile(url(path)) }
    func write(_ text: String, _ path: String) throws { try writeFile(text, to: url(path)) }

    func context(_ name: String, inputs: [String], outputs: [String], parameters: [JSONMember]) -> StepContext {
        let step = Step(
            id: name.split(separator: "/").last.map(String.init) ?? name, stageID: "5-collating", action: .builtin(name), parameters: parameters,
            inputs: inputs, outputs: outputs, environment: [], description: nil,
            location: SourceLocation(file: "workflow.json", line: 1, column: 1, path: ""), inputLocations: [], outputLocations: [])
        return StepContext(
            step: step, root: root, inputs: inputs.map { [ResolvedFile(path: $0, location: url($0).path)] }, outputs: outputs.map(url), progress: { _ in })
    }

    func prisma(parameters: [JSONMember] = [Self.phases]) throws(RunnerError) -> StepOutcome {
        try CollatePrismaStep().run(
            context(
                "collate/prisma", inputs: Self.selectionInputs + Self.finals,
                outputs: ["stages/5-collating/out/PRISMA.csv", "stages/5-collating/out/prisma-flow.svg"], parameters: parameters))
    }

    func tables(crosstabs: [String] = ["role_type:main_focus"]) throws(RunnerError) -> StepOutcome {
        try CollateTablesStep().run(
            context(
                "collate/tables", inputs: ["stages/4-charting/codebook.json", "stages/4-charting/out/charted.csv"],
                outputs: ["stages/5-collating/out/tables/", "stages/5-collating/out/figures/"],
                parameters: [JSONMember("crosstabs", .array(crosstabs.map { .string($0) }))]))
    }

    static let reportParameters: [JSONMember] = [
        phases, JSONMember("title", .string("Demo review: collated results")),
        JSONMember("crosstabs", .array([.string("role_type:main_focus")])),
        JSONMember(
            "derive",
            .object([
                JSONMember("search.databases", .string("databases")), JSONMember("screening.records_screened", .string("records_screened")),
                JSONMember("included.total", .string("new_studies")), JSONMember("other_sources.reference-list", .string("count(source=reference-list)")),
                JSONMember("year.recent", .string("count(year>=2019)")),
                JSONMember("peer_support_focus.implementation", .string("count(role_type=peer-support & main_focus=implementation)")),
                JSONMember("peer_support_focus.outcomes", .string("count(role_type=peer-support & main_focus=outcomes)")),
                JSONMember("peer_support_focus.peer-worker-qualities", .string("count(role_type=peer-support & main_focus=peer-worker-qualities)")),
                JSONMember("service_cycle.co-delivery-only", .string("count(service_cycle==co-delivery)")),
                JSONMember("service_cycle.co-creation", .string("count(service_cycle=co-design|co-commissioning)")),
                JSONMember("multidisciplinary.total", .string("count(multidisciplinary=environment|team)")),
            ])),
        JSONMember("checks", .array([.string("service_cycle.co-delivery-only + service_cycle.co-creation = included.total")])),
        JSONMember("locations", .object([JSONMember("1", .string("title page"))])),
    ]

    func report(parameters: [JSONMember] = Self.reportParameters, extra: [String] = []) throws(RunnerError) -> StepOutcome {
        try CollateReportStep().run(
            context(
                "collate/report",
                inputs: Self.selectionInputs + ["stages/4-charting/codebook.json", "stages/4-charting/out/charted.csv", "stages/5-collating/reported_in_paper.json"]
                    + Self.finals + extra,
                outputs: ["stages/5-collating/out/report.md", "stages/5-collating/out/report.html", "stages/5-collating/out/prisma-scr.csv", "stages/5-collating/out/comparison.csv"],
                parameters: parameters))
    }

    /// Rows of a CSV output as dictionaries keyed by the header (no quoted line breaks in these files).
    func csvRows(_ path: String) throws -> [[String: String]] {
        let lines = try read(path).split(separator: "\n").map(String.init)
        let header = splitCSV(lines[0])
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, splitCSV($0))) }
    }
}

/// Splits one CSV line (RFC 4180 quotes, no line breaks inside fields).
func splitCSV(_ line: String) -> [String] {
    var fields: [String] = []
    var field = ""
    var quoted = false
    var chars = Array(line)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" {
                    field.append("\"")
                    chars = chars.dropFirst()
                } else {
                    quoted = false
                }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            fields.append(field)
            field = ""
        } else {
            field.append(c)
        }
    }
    fields.append(field)
    return fields
}

/// Whether `text` parses as XML (SVG must be well-formed).
func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
}

@Suite struct CollatePrismaTests {
    @Test func countsEveryBoxFromThePerRecordFiles() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let outcome = try review.prisma()
            #expect(outcome.counts == ["records_screened": 17, "reports_assessed": 12, "studies_included": 8])
            let rows = try review.csvRows("stages/5-collating/out/PRISMA.csv")
            var n: [String: String] = [:]
            for row in rows where row["data"] != "NA" { n[row["data"] ?? ""] = row["n"] }
            let expected: [String: String] = [
                "database_results": "22", "database_specific_results": "MEDLINE, 8; Scopus, 7; Web of Science, 7", "register_results": "0",
                "register_specific_results": "0", "duplicates": "4", "excluded_automatic": "0", "excluded_other": "1", "records_screened": "17",
                "records_excluded": "7", "dbr_sought_reports": "10", "dbr_notretrieved_reports": "1", "dbr_assessed": "9",
                "dbr_excluded": "not-peer-worker, 2; mutual-peer-support, 1", "website_results": "1", "organisation_results": "1",
                "citations_results": "1", "other_sought_reports": "3", "other_notretrieved_reports": "0", "other_assessed": "3",
                "other_excluded": "review-or-commentary, 1", "new_studies": "8", "new_reports": "8", "total_studies": "8", "total_reports": "8",
                "previous_studies": "0", "previous_reports": "0", "total_studies_ma": "0", "total_reports_ma": "0",
            ]
            for (key, value) in expected { #expect(n[key] == value, "\(key)") }
        }
    }

    @Test func keepsTheTemplateLayoutRowForRow() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            _ = try review.prisma()
            let lines = try review.read("stages/5-collating/out/PRISMA.csv").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines[0] == "data,node,box,description,boxtext,tooltips,url,n")
            #expect(lines.count == 36 && lines[35].isEmpty)
            #expect(lines[11] == "organisation_results,,box11,Records identified from: Organisations,Organisations,NA,NA,1")
            #expect(lines[6] == "database_specific_results,NA,box2,Records identified from: specific databases,Specific Databases,NA,database_results.html,\"MEDLINE, 8; Scopus, 7; Web of Science, 7\"")
        }
    }

    @Test func embeddedTemplateEqualsThePRISMA2020PackageFile() throws {
        guard let shared = RepositoryPaths.shared else {
            print("skipped: ../shared is absent, so the PRISMA2020 template cannot be compared")
            return
        }
        // The package writes CRLF line ends and no final line end; ReviewTrail writes LF ones.
        let template = try readFile(shared.appendingPathComponent("data/prisma2020/PRISMA.csv")).replacingOccurrences(of: "\r\n", with: "\n")
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            _ = try review.prisma()
            let ours = try review.read("stages/5-collating/out/PRISMA.csv")
            let theirs = template.split(separator: "\n").map { splitCSV(String($0)) }
            let mine = ours.split(separator: "\n").map { splitCSV(String($0)) }
            #expect(theirs.count == mine.count)
            for (a, b) in zip(theirs, mine) {
                #expect(a.count == 8 && b.count == 8)
                #expect(Array(a.prefix(7)) == Array(b.prefix(7)), "row \(a[0])")
            }
            // With the template's own n, the embedded rows serialise to the template's bytes.
            let rebuilt = Stages.CollatePrismaStep.templateCSV()
            #expect(rebuilt == (template.hasSuffix("\n") ? template : template + "\n"))
        }
    }

    @Test func aRecordDroppedBetweenPhasesViolatesTheSoughtInvariant() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let path = "stages/3-selection/out/final-fulltext.csv"
            try review.write(try review.read(path).replacingOccurrences(of: "medline:8,include,,agreed,database\n", with: ""), path)
            let error = #expect(throws: RunnerError.self) { try review.prisma() }
            #expect(error?.exitCode == 1)
            #expect(error?.description.contains("PRISMA invariant violated: dbr_sought_reports = records_screened − records_excluded (9 sought, 17 − 7") == true)
            #expect(error?.description.contains("medline:8 skips from phase abstract to final") == true)
        }
    }

    @Test func aMissingDuplicateRowViolatesTheScreeningInvariant() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let path = "stages/2-search/out/duplicates.csv"
            try review.write(try review.read(path).replacingOccurrences(of: "3,wos:4,,removed,title+year,1.000\n", with: ""), path)
            let error = #expect(throws: RunnerError.self) { try review.prisma() }
            #expect(error?.description.contains("records_screened = database_results + register_results − duplicates − excluded_automatic − excluded_other") == true)
        }
    }

    @Test func aFullTextExclusionWithoutReasonOrOutsideTheListIsAViolation() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let path = "stages/3-selection/out/final-final.csv"
            let original = try review.read(path)
            try review.write(original.replacingOccurrences(of: "medline:8,exclude,not-peer-worker", with: "medline:8,exclude,"), path)
            let missing = #expect(throws: RunnerError.self) { try review.prisma() }
            #expect(missing?.description.contains("every exclusion at full text has a reason (no reason for medline:8 (stages/3-selection/out/final-final.csv:8))") == true)
            try review.write(original, path)
            let closed = [CollateFixture.phases, JSONMember("reasons", .array([.string("not-peer-worker"), .string("review-or-commentary")]))]
            let unknown = #expect(throws: RunnerError.self) { try review.prisma(parameters: closed) }
            #expect(unknown?.description.contains("reasons come from the closed list") == true)
            #expect(unknown?.description.contains("\"mutual-peer-support\" for wos:3") == true)
        }
    }

    @Test func badDecisionRowsStopWithFileLineAndColumn() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let path = "stages/3-selection/out/final-abstract.csv"
            let original = try review.read(path)
            try review.write(original.replacingOccurrences(of: "medline:7,exclude", with: "medline:7,maybe"), path)
            let maybe = #expect(throws: RunnerError.self) { try review.prisma() }
            #expect(maybe?.exitCode == 2)
            #expect(maybe?.description == "stages/3-selection/out/final-abstract.csv:8:11: decision: decision \"maybe\" is not include, exclude or not-retrieved")
            try review.write(original + "medline:1,include,,agreed,database\n", path)
            let duplicate = #expect(throws: RunnerError.self) { try review.prisma() }
            #expect(duplicate?.description == "stages/3-selection/out/final-abstract.csv:19:1: record_id: record medline:1 already has a decision on line 2")
            try review.write(original + "\"medline:99,include\n", path)
            let open = #expect(throws: RunnerError.self) { try review.prisma() }
            #expect(open?.description == "stages/3-selection/out/final-abstract.csv:19:1: a quoted field is never closed")
        }
    }

    @Test func drawsAWellFormedDeterministicFlowDiagram() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            _ = try review.prisma()
            let first = try review.read("stages/5-collating/out/prisma-flow.svg")
            _ = try review.prisma()
            #expect(try review.read("stages/5-collating/out/prisma-flow.svg") == first)
            #expect(isWellFormedXML(first))
            for text in ["Records screened", "(n = 17)", "Duplicate records removed (n = 4)", "MEDLINE (n = 8)", "not-peer-worker (n = 2)", "hand-search (n = 1)",
                         "Studies included in review", "Identification of new studies via other methods"] {
                #expect(first.contains(text), "\(text)")
            }
            #expect(!first.contains("href"))
        }
    }
}

@Suite struct CollateTablesTests {
    @Test func countsAndPercentagesPerVariableWithMultipleChoiceSplit() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let outcome = try review.tables()
            #expect(outcome.counts == ["studies": 8, "tables": 8, "figures": 6])
            #expect(
                try review.read("stages/5-collating/out/tables/region.csv") == """
                    value,n,percent
                    united-states,3,37.5
                    canada,1,12.5
                    great-britain,1,12.5
                    europe-excluding-great-britain,0,0.0
                    oceania,2,25.0
                    asia,0,0.0
                    southern-america,0,0.0
                    not-reported,1,12.5

                    """)
            let cycle = try review.csvRows("stages/5-collating/out/tables/service_cycle.csv")
            #expect(cycle.map { $0["value"] ?? "" } == ["co-commissioning", "co-design", "co-delivery", "co-assessment"])
            #expect(cycle.map { $0["n"] ?? "" } == ["0", "1", "8", "1"])
            let country = try review.csvRows("stages/5-collating/out/tables/country.csv")
            #expect(country.first?["value"] == "United States" && country.first?["n"] == "3")
            #expect(country.last?["value"] == "not-reported")
            #expect(try review.read("stages/5-collating/out/tables/year.csv").hasPrefix("value,n,percent\n2012,1,12.5\n2013,1,12.5\n2014,1,12.5\n2015,0,0.0\n2016,2,25.0\n"))
            let md = try review.read("stages/5-collating/out/tables/region.md")
            #expect(md.contains("| united-states | 3 | 37.5 |") && md.contains("| **total** | 8 | 100.0 |"))
            #expect(try review.read("stages/5-collating/out/tables/service_cycle.md").contains("add up to more than 100"))
        }
    }

    @Test func crossTabulatesTwoVariables() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            _ = try review.tables()
            #expect(
                try review.read("stages/5-collating/out/tables/role_type-by-main_focus.csv") == """
                    role_type,outcomes,peer-worker-qualities,implementation,not-reported,total
                    pre-determined-services,1,1,0,0,2
                    peer-support,1,1,3,0,5
                    co-creation-partner,0,0,1,0,1
                    not-reported,0,0,0,0,0
                    total,2,2,4,0,8

                    """)
            let error = #expect(throws: RunnerError.self) { try review.tables(crosstabs: ["role_type:focus"]) }
            #expect(error?.description.contains("names a variable the codebook does not define") == true)
        }
    }

    @Test func drawsBarChartsForCategoriesAndYears() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            _ = try review.tables()
            let figures = try FileManager.default.contentsOfDirectory(atPath: review.url("stages/5-collating/out/figures").path).sorted()
            #expect(figures == ["main_focus.svg", "multidisciplinary.svg", "region.svg", "role_type.svg", "service_cycle.svg", "year.svg"])
            let region = try review.read("stages/5-collating/out/figures/region.svg")
            #expect(isWellFormedXML(region))
            #expect(region.contains(">3 (37.5%)</text>") && region.contains(">united-states</text>"))
        }
    }

    @Test func aValueOutsideTheCodebookIsRefusedWithItsCell() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let path = "stages/4-charting/out/charted.csv"
            try review.write(try review.read(path).replacingOccurrences(of: "canada,outcomes", with: "canada,effects"), path)
            let error = #expect(throws: RunnerError.self) { try review.tables() }
            #expect(error?.exitCode == 2)
            #expect(error?.description.hasPrefix("stages/4-charting/out/charted.csv:6:29: main_focus: \"effects\" is not an allowed value") == true)
        }
    }
}

@Suite struct CollateReportTests {
    @Test func comparesThePaperWithTheDataAndFlagsThePapersSlips() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let outcome = try review.report()
            let rows = try review.csvRows("stages/5-collating/out/comparison.csv")
            func row(_ id: String) -> [String: String] { rows.first { $0["id"] == id } ?? [:] }
            #expect(try review.read("stages/5-collating/out/comparison.csv").hasPrefix("id,label,reported,derived,difference,match,derivation,paper_check\n"))
            #expect(row("screening.records_screened")["derived"] == "17" && row("screening.records_screened")["match"] == "equal")
            #expect(row("search.databases")["derived"] == "3")
            #expect(row("other_sources.reference-list")["derived"] == "1")
            #expect(row("year.recent")["derived"] == "2" && row("year.recent")["difference"] == "-3")
            #expect(row("region.united-states")["derived"] == "3" && row("region.united-states")["match"] == "differs")
            #expect(row("region.united-states.percent")["derived"] == "37.5" && row("region.united-states.percent")["difference"] == "-12.5")
            #expect(row("region.oceania.percent")["derivation"] == "percent(region=oceania)")
            #expect(row("context.veterans")["derived"] == "NA" && row("context.veterans")["match"] == "not-derived")
            #expect(row("multidisciplinary.total")["derived"] == "6")
            // The paper's own slips, from its printed figures alone.
            #expect(row("region.oceania")["paper_check"]?.contains("4 + 3 + 2 = 9 (region values of all studies), more than the 8 of included.total") == true)
            #expect(row("region.oceania.percent")["paper_check"] == "region.oceania.percent: 40.0% printed, but 3 of 8 (included.total) is 37.5%")
            #expect(row("region.united-states.percent")["paper_check"] == "")
            #expect(row("peer_support_focus.outcomes")["paper_check"]?.contains("3 + 2 + 1 = 6 (main_focus values of role_type=peer-support), more than the 5 of role_type.peer-support") == true)
            #expect(row("service_cycle.co-creation")["paper_check"]?.contains("7 + 2 = 9, not 8") == true)
            #expect(row("multidisciplinary.total")["paper_check"] == "")
            #expect(outcome.counts["paper_inconsistencies"] == 4)
        }
    }

    @Test func checklistHasTheTwentyTwoItemsWithStatusesFromTheFiles() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            try review.write("{\"research_question\": \"q\", \"eligibility\": {\"include\": [\"a\"]}, \"databases\": [{\"name\": \"MEDLINE\"}], \"search_dates\": [{\"date\": \"2021-01-01\"}]}\n", "stages/1-question/out/protocol.json")
            _ = try review.report(extra: ["stages/1-question/out/protocol.json"])
            let rows = try review.csvRows("stages/5-collating/out/prisma-scr.csv")
            #expect(try review.read("stages/5-collating/out/prisma-scr.csv").hasPrefix("item,section,name,essential,status,location,evidence\n"))
            #expect(rows.count == 22)
            let status = Dictionary(uniqueKeysWithValues: rows.map { (Int($0["item"] ?? "") ?? 0, $0["status"] ?? "") })
            #expect(status[1] == "reported" && rows[0]["location"] == "title page")
            #expect(status[3] == "missing" && status[19] == "missing" && status[20] == "missing" && status[21] == "missing")
            #expect(status[4] == "evidence-only" && status[6] == "evidence-only" && status[7] == "evidence-only")
            #expect(status[5] == "missing" && status[8] == "missing")
            #expect(status[12] == "not-applicable" && status[16] == "not-applicable")
            #expect(status[9] == "evidence-only" && status[14] == "evidence-only" && status[11] == "evidence-only")
            #expect(rows[11]["essential"] == "no" && rows[10]["essential"] == "yes")
            #expect(rows[8]["name"] == "Selection of sources of evidence†")
            let validStatuses: Set<String> = ["reported", "evidence-only", "missing", "not-applicable"]
            #expect(rows.allSatisfy { validStatuses.contains($0["status"] ?? "") })
        }
    }

    @Test func htmlIsSelfContainedAndEveryNumberLinksToItsRecords() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            _ = try review.report()
            let html = try review.read("stages/5-collating/out/report.html")
            #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("<script"))
            #expect(html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http") == false)
            let targets = Set(matches(#"id="(records-[0-9]+)""#, in: html))
            let links = matches(##"href="#(records-[0-9]+)""##, in: html)
            #expect(!links.isEmpty && Set(links) == targets)
            // Every numeric table cell is a link, except the paper's printed figures.
            for cell in matches(#"<td class="num">(.*?)</td>"#, in: html) where !cell.contains("class=\"paper\"") && cell != "NA" {
                #expect(cell.hasPrefix("<a class=\"n\" href=\"#records-"), "\(cell)")
            }
            let screened = try #require(matches(##"<a class="n" href="#(records-[0-9]+)">17</a>"##, in: html).first)
            let section = try #require(html.range(of: "<section class=\"records\" id=\"\(screened)\">"))
            let list = String(html[section.upperBound...]).components(separatedBy: "</section>")[0]
            #expect(list.contains("Records screened (17)") && list.components(separatedBy: "<li>").count == 18)
            #expect(list.contains("<code>medline:1</code> Alder &amp; Fir (2012). Demo record medline 1"))
            // The same bytes on every run.
            _ = try review.report()
            #expect(try review.read("stages/5-collating/out/report.html") == html)
            let md = try review.read("stages/5-collating/out/report.md")
            #expect(md.hasPrefix("# Demo review: collated results\n"))
            #expect(md.contains("| united-states | 3 | 37.5 |"))
        }
    }

    @Test func chartingOtherStudiesThanTheIncludedIsRefused() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            let path = "stages/4-charting/out/charted.csv"
            try review.write(try review.read(path).replacingOccurrences(of: "wos:5,", with: "wos:6,"), path)
            let error = #expect(throws: RunnerError.self) { try review.report() }
            #expect(error?.exitCode == 2)
            #expect(error?.description == "stages/4-charting/out/charted.csv: charts other studies than included.jsonl; not charted: wos:5; charted but not included: wos:6")
        }
    }
}

/// The first capture group of every match of `pattern`.
func matches(_ pattern: String, in text: String) -> [String] {
    guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
    let range = NSRange(text.startIndex..., in: text)
    return regex.matches(in: text, range: range).compactMap { match in Range(match.range(at: 1), in: text).map { String(text[$0]) } }
}

@Suite struct CollateRunnerTests {
    static let workflow = """
        {
          "version": 1,
          "stages": [
            { "id": "5-collating", "steps": [
              { "id": "prisma", "uses": "collate/prisma", "with": { "phases": ["abstract", "fulltext", "final"] },
                "inputs": ["stages/2-search/out/identification.json", "stages/2-search/out/records.jsonl", "stages/2-search/out/unique.jsonl",
                           "stages/2-search/out/duplicates.csv", "stages/3-selection/out/included.jsonl", "stages/3-selection/out/final-*.csv"],
                "outputs": ["stages/5-collating/out/PRISMA.csv", "stages/5-collating/out/prisma-flow.svg"] },
              { "id": "tables", "uses": "collate/tables", "with": { "crosstabs": ["role_type:main_focus"] },
                "inputs": ["stages/4-charting/codebook.json", "stages/4-charting/out/charted.csv"],
                "outputs": ["stages/5-collating/out/tables/", "stages/5-collating/out/figures/"] },
              { "id": "report", "uses": "collate/report", "with": { "phases": ["abstract", "fulltext", "final"], "crosstabs": ["role_type:main_focus"] },
                "inputs": ["stages/2-search/out/identification.json", "stages/2-search/out/records.jsonl", "stages/2-search/out/unique.jsonl",
                           "stages/2-search/out/duplicates.csv", "stages/3-selection/out/included.jsonl", "stages/4-charting/codebook.json",
                           "stages/4-charting/out/charted.csv", "stages/5-collating/reported_in_paper.json", "stages/3-selection/out/final-*.csv",
                           "stages/5-collating/out/PRISMA.csv", "stages/5-collating/out/tables/"],
                "outputs": ["stages/5-collating/out/report.md", "stages/5-collating/out/report.html", "stages/5-collating/out/prisma-scr.csv",
                            "stages/5-collating/out/comparison.csv"] } ] }
          ]
        }
        """

    @Test func theThreeStepsRunThroughTheRunnerIntoOneSnapshot() throws {
        try withTemporaryDirectory { dir in
            let review = try CollateFixture(in: dir)
            try review.write(Self.workflow, "workflow.json")
            let folder = try ReviewFolder.load(at: review.root, catalog: BuiltinSteps.registry.catalog)
            let store = InMemorySnapshotStore()
            let report = try Runner(folder: folder, registry: BuiltinSteps.registry, store: { _ in store }).run(RunOptions())
            #expect(report.snapshots.map(\.stage) == ["5-collating"])
            #expect(report.snapshots.first?.steps == ["5-collating/prisma", "5-collating/tables", "5-collating/report"])
            #expect(report.snapshots.first?.summary.contains("8 studies included") == true)
            #expect(try review.read("stages/5-collating/out/tables/role_type-by-main_focus.csv").hasPrefix("role_type,outcomes"))
            let scr = try review.csvRows("stages/5-collating/out/prisma-scr.csv")
            #expect(scr[13]["evidence"] == "stages/5-collating/out/PRISMA.csv")
            #expect(scr[17]["status"] == "evidence-only" && scr[17]["evidence"] == "stages/5-collating/out/tables/ (16 files)")
            let again = try Runner(folder: folder, registry: BuiltinSteps.registry, store: { _ in store }).run(RunOptions())
            #expect(again.snapshots.isEmpty)
        }
    }
}
