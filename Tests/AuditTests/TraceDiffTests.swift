import Audit
import Foundation
import ReviewTestSupport
import RunnerCore
import Testing
import WorkflowModel

private func detail(_ event: TraceEvent, _ key: String) -> String? {
    event.detail.first { $0.key == key }.flatMap { $0.value.stringValue ?? ($0.value.intValue.map(String.init)) }
}

@Suite struct TraceTests {
    @Test func aScreenedRecordShowsItsImportDecisionsResolutionAndFinal() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let report = try Tracer(view: try review.view()).trace("medline:2")
            #expect(report.screenedAs == nil)
            #expect(report.events.map(\.kind) == ["imported", "decision", "decision", "resolution", "final", "counted", "counted", "counted"])
            let imported = report.events[0]
            #expect(imported.stage == "2-search")
            #expect(detail(imported, "file") == "stages/2-search/exports/medline.ris")
            #expect(detail(imported, "line") == "8")
            #expect(detail(imported, "database") == "medline")
            let reported = try #require(report.events.last)
            #expect(reported.stage == "5-collating")
            let numbers = try #require(reported.detail.first { $0.key == "report_numbers" }?.value.arrayValue)
            #expect(numbers.compactMap { $0["id"]?.stringValue } == ["database_results", "database_specific_results", "records_screened", "records_excluded"])
            let identified = try #require(report.events.dropLast().last)
            #expect(identified.kind == "counted" && identified.path.hasSuffix("identification.json"))
            #expect(identified.detail.contains(JSONMember("records_from_database", .number("3"))))
            #expect(identified.detail.contains(JSONMember("records_identified", .number("5"))))
            let decisions = report.events.filter { $0.kind == "decision" }
            #expect(decisions.map { detail($0, "reviewer") } == ["first", "second"])
            #expect(decisions.map { detail($0, "decision") } == ["exclude", "include"])
            #expect(decisions.map { detail($0, "reason") } == ["wrong-population", ""])
            #expect(detail(decisions[1], "note") == "unsure, ask")
            #expect(detail(report.events[3], "decision") == "exclude")
            #expect(detail(report.events[4], "basis") == "resolved")
            #expect(report.events[5].detail.contains(JSONMember("records_with_this_reason", .number("1"))))
            #expect(report.events.allSatisfy { $0.snapshot.count == 40 })
        }
    }

    @Test func aRemovedDuplicateShowsItsClusterAndTheKeptRecordsPath() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let report = try Tracer(view: try review.view()).trace("scopus:1")
            #expect(report.screenedAs == "medline:3")
            let cluster = try #require(report.events.first { $0.kind == "cluster" })
            #expect(detail(cluster, "status") == "removed")
            #expect(detail(cluster, "kept") == "medline:3")
            #expect(detail(cluster, "score") == "1.000")
            #expect(cluster.detail.contains(JSONMember("fields", .array([.string("title"), .string("year")]))))
            let charted = try #require(report.events.first { $0.kind == "charted" })
            #expect(charted.detail.contains(JSONMember("values", .object([JSONMember("setting", .string("hospital;community")), JSONMember("design", .string("survey"))]))))
            #expect(report.events.contains { $0.kind == "counted" && $0.detail.contains(JSONMember("duplicates_removed", .number("1"))) })
            let reported = try #require(report.events.first { $0.path.hasSuffix("PRISMA.csv") })
            let ids = reported.detail.first { $0.key == "report_numbers" }?.value.arrayValue?.compactMap { $0["id"]?.stringValue }
            #expect(ids == ["database_results", "database_specific_results", "duplicates"])
            let table = try #require(report.events.first { $0.path.hasSuffix("tables/setting.csv") })
            #expect(table.detail.contains(JSONMember("table", .string("setting"))))
            #expect(table.detail.first { $0.key == "rows" }?.value.arrayValue?.count == 2)
            let json = CanonicalJSON.compact(report.json)
            #expect(json.hasPrefix("{\"at\":"))
            #expect(json.contains("\"record\":\"scopus:1\""))
        }
    }

    @Test func tracingAtAPastSnapshotShowsTheDecisionsThen() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let first = try review.tip()
            try review.write(
                "record_id,decision,reason,note\nmedline:1,exclude,wrong-concept,\nmedline:2,exclude,wrong-population,\nmedline:3,include,,\nscopus:2,exclude,wrong-concept,\n",
                "stages/3-selection/decisions/abstract-first.csv")
            try review.run()
            let view = try review.view()
            let now = try Tracer(view: view).trace("medline:1")
            let then = try Tracer(view: view).trace("medline:1", at: first)
            #expect(now.events.first { $0.kind == "decision" }.flatMap { detail($0, "decision") } == "exclude")
            #expect(then.events.first { $0.kind == "decision" }.flatMap { detail($0, "decision") } == "include")
            #expect(now.events.first { $0.kind == "decision" }?.snapshot != then.events.first { $0.kind == "decision" }?.snapshot)
            #expect(now.events.first { $0.kind == "imported" }?.snapshot == then.events.first { $0.kind == "imported" }?.snapshot)
            #expect(throws: AuditError.usage("no file of snapshot \(String(first.prefix(7))) names the record \"nowhere:9\" (record ids are <export-file-stem>:<n>)")) {
                try Tracer(view: view).trace("nowhere:9", at: first)
            }
        }
    }
}

@Suite struct DiffTests {
    @Test func diffReportsRecordsClustersDecisionsChartedValuesAndFiles() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let first = try review.tip()
            try review.write(
                "TY  - JOUR\nAU  - Other, D.\nTI  - Another invented record\nPY  - 2018\nJO  - Invented Journal\nER  - \n",
                "stages/2-search/exports/scopus.ris")
            try review.write("cluster,record_id,source_id,status,match,score\n", "stages/2-search/dedup/duplicates.csv")
            try review.write(
                "record_id,decision,reason,note\nmedline:1,exclude,wrong-concept,\nmedline:2,exclude,wrong-population,\nmedline:3,include,,\nscopus:1,exclude,wrong-concept,\n",
                "stages/3-selection/decisions/abstract-first.csv")
            try review.write("record_id,setting,design\nmedline:1,community,qualitative\nmedline:3,hospital,survey\n", "stages/4-charting/charting.csv")
            try review.run()
            let report = try SnapshotDiffer(view: try review.view()).diff(first, "trail")
            #expect(report.recordsRemoved == ["scopus:2"])
            #expect(report.recordsAdded.isEmpty)
            #expect(report.clustersChanged.count == 1)
            #expect(report.clustersChanged.first?["kind"] == .string("removed"))
            let changedDecisions = report.decisionsChanged.compactMap { $0["record_id"]?.stringValue }
            #expect(changedDecisions == ["medline:1", "scopus:1", "scopus:2"])
            #expect(report.decisionsChanged[0]["from"] == .string("include"))
            #expect(report.decisionsChanged[0]["to"] == .string("exclude"))
            #expect(report.decisionsChanged[0]["who"] == .string("first"))
            #expect(report.chartedChanged.count == 1)
            #expect(report.chartedChanged.first?["variable"] == .string("setting"))
            #expect(report.numbersChanged.contains { $0["path"]?.stringValue?.hasSuffix("identification.json") == true })
            #expect(report.filesChanged.contains { $0["path"] == .string("stages/2-search/exports/scopus.ris") })
            let keys = (report.json.objectValue ?? []).map(\.key)
            for key in ["records_added", "records_removed", "clusters_changed", "decisions_changed", "charted_changed", "numbers_changed", "files_changed"] {
                #expect(keys.contains(key))
            }
            let selection = try SnapshotDiffer(view: try review.view()).diff(first, "trail", stage: "4-charting")
            #expect(selection.decisionsChanged.isEmpty && selection.recordsRemoved.isEmpty && selection.chartedChanged.count == 1)
            #expect(try SnapshotDiffer(view: try review.view()).diff("trail", "trail").isEmpty)
        }
    }
}
