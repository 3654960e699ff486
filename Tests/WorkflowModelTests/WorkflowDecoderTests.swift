import Foundation
import ReviewTestSupport
import Stages
import Testing
import WorkflowModel

/// A small valid workflow that each case breaks in one place.
func workflowText(stages: String) -> String {
    """
    {
      "version": 1,
      "stages": [
    \(stages)
      ]
    }
    """
}

let validStages = """
        { "id": "1-question", "steps": [
          { "id": "protocol", "uses": "protocol/validate",
            "inputs": ["stages/1-question/protocol.json"],
            "outputs": ["stages/1-question/out/protocol.json", "stages/1-question/out/search-strategy.txt"] } ] },
        { "id": "2-search", "steps": [
          { "id": "count", "run": ["sh", "{inputs[0]}", "{inputs[1]}", "{outputs[0]}"],
            "inputs": ["stages/2-search/count.sh", "stages/2-search/exports/*.ris"],
            "outputs": ["stages/2-search/out/count.txt"] },
          { "id": "report", "run": ["cp", "{inputs[0]}", "{outputs[0]}"],
            "inputs": ["stages/2-search/out/count.txt"], "outputs": ["stages/2-search/out/tables/"] } ] }
    """

func decode(_ text: String) throws(WorkflowError) -> Workflow {
    try WorkflowDecoder(catalog: BuiltinSteps.registry.catalog).decode(Array(text.utf8))
}

func decodeError(_ text: String) -> WorkflowError? {
    do {
        _ = try decode(text)
        return nil
    } catch { return error }
}

@Suite struct WorkflowDecoderTests {
    @Test func decodesAValidWorkflow() throws {
        let workflow = try decode(workflowText(stages: validStages))
        #expect(workflow.stages.map(\.id) == ["1-question", "2-search"])
        #expect(workflow.steps.map(\.name) == ["1-question/protocol", "2-search/count", "2-search/report"])
        #expect(workflow.trail == TrailSettings(repository: ".review/trail.git", branch: "trail"))
        #expect(workflow.steps[1].action == .command(["sh", "{inputs[0]}", "{inputs[1]}", "{outputs[0]}"]))
        #expect(workflow.steps[2].inputLocations[0].path == "stages[1].steps[1].inputs[0]")
    }

    /// Each invalid case: the text, the JSON path the message must name, and a phrase it must contain.
    static let invalidCases: [(String, String, String, String)] = [
        ("unknown top-level key", #"{"version": 1, "stages": [], "colour": "red"}"#, "colour", "unknown key \"colour\""),
        ("missing stages", #"{"version": 1}"#, ":1:1:", "missing required field \"stages\""),
        ("version too high", #"{"version": 2, "stages": []}"#, "version", "higher than this runner supports"),
        (
            "unknown step key",
            workflowText(stages: validStages.replacingOccurrences(of: #""id": "count","#, with: #""id": "count", "inptus": [],"#)),
            "stages[1].steps[0].inptus", "unknown key \"inptus\""
        ),
        (
            "missing outputs", workflowText(stages: #"{ "id": "1-question", "steps": [ { "id": "a", "run": ["true"] } ] }"#),
            "stages[0].steps[0]", "missing required field \"outputs\""
        ),
        (
            "duplicate stage", workflowText(stages: validStages + ",\n" + #"{ "id": "2-search", "steps": [ { "id": "x", "run": ["true"], "outputs": ["o/x"] } ] }"#),
            "stages[2].id", "duplicate stage id \"2-search\""
        ),
        (
            "duplicate step",
            workflowText(stages: validStages.replacingOccurrences(of: #""id": "report""#, with: #""id": "count""#)),
            "stages[1].steps[1].id", "duplicate step id \"count\""
        ),
        (
            "parent path",
            workflowText(stages: validStages.replacingOccurrences(of: "stages/2-search/exports/*.ris", with: "../elsewhere/*.ris")),
            "stages[1].steps[0].inputs[1]", "escapes the review folder"
        ),
        (
            "absolute path",
            workflowText(stages: validStages.replacingOccurrences(of: "stages/2-search/count.sh", with: "/etc/passwd")),
            "stages[1].steps[0].inputs[0]", "is absolute"
        ),
        (
            "output declared twice",
            workflowText(stages: validStages.replacingOccurrences(of: "stages/2-search/out/tables/", with: "stages/2-search/out/count.txt")),
            "stages[1].steps[1].outputs[0]", "also declared by 2-search/count"
        ),
        (
            "cycle",
            workflowText(stages: validStages.replacingOccurrences(of: "stages/2-search/count.sh", with: "stages/2-search/out/tables/t.csv")),
            "stages[1].steps[0].inputs[0]", "a later step, 2-search/report"
        ),
        (
            "both uses and run",
            workflowText(stages: validStages.replacingOccurrences(of: #""uses": "protocol/validate","#, with: #""uses": "protocol/validate", "run": ["true"],"#)),
            "stages[0].steps[0]", "both \"uses\" and \"run\""
        ),
        (
            "neither uses nor run",
            workflowText(stages: validStages.replacingOccurrences(of: #""uses": "protocol/validate","#, with: "")),
            "stages[0].steps[0]", "neither \"uses\" nor \"run\""
        ),
        (
            "unknown built-in",
            workflowText(stages: validStages.replacingOccurrences(of: "protocol/validate", with: "protocol/guess")),
            "stages[0].steps[0].uses", "unknown built-in step \"protocol/guess\""
        ),
        (
            "unknown parameter",
            workflowText(stages: validStages.replacingOccurrences(of: #""uses": "protocol/validate","#, with: #""uses": "protocol/validate", "with": {"strict": true},"#)),
            "stages[0].steps[0].with.strict", "does not accept the parameter \"strict\""
        ),
        (
            "with on a command",
            workflowText(stages: validStages.replacingOccurrences(of: #""id": "count","#, with: #""id": "count", "with": {},"#)),
            "stages[1].steps[0].with", "for built-in steps"
        ),
        (
            "wrong number of built-in outputs",
            workflowText(stages: validStages.replacingOccurrences(of: #", "stages/1-question/out/search-strategy.txt""#, with: "")),
            "stages[0].steps[0].outputs", "writes 2 outputs but 1 are declared"
        ),
        ("syntax error", "{\n  \"version\": 1,\n  \"stages\": [\n}", ":4:1:", "invalid JSON"),
    ]

    @Test(arguments: 0..<invalidCases.count)
    func rejectsInvalidWorkflows(_ index: Int) throws {
        let (name, text, path, phrase) = Self.invalidCases[index]
        let error = try #require(decodeError(text), "\(name) was accepted")
        #expect(error.description.contains(path), "\(name): \(error.description)")
        #expect(error.description.contains(phrase), "\(name): \(error.description)")
        #expect(error.description.hasPrefix("workflow.json:"), "\(name): \(error.description)")
        #expect(!error.fix.isEmpty)
    }

    @Test func errorsNameTheLine() throws {
        let text = workflowText(stages: validStages.replacingOccurrences(of: "protocol/validate", with: "protocol/guess"))
        let error = try #require(decodeError(text))
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("protocol/guess") }.map { $0 + 1 }
        #expect(error.location.line == line)
    }

    @Test func canonicalDefinitionChangesWithParametersAndPaths() throws {
        let workflow = try decode(workflowText(stages: validStages))
        let changed = try decode(workflowText(stages: validStages.replacingOccurrences(of: "count.txt", with: "total.txt")))
        #expect(workflow.steps[0].canonicalDefinition == changed.steps[0].canonicalDefinition)
        #expect(workflow.steps[1].canonicalDefinition != changed.steps[1].canonicalDefinition)
        #expect(workflow.steps[1].canonicalDefinition.contains("\"id\":\"2-search/count\""))
    }

    @Test func globsAndFoldersDecideDependencies() {
        #expect(WorkflowDecoder.reads("stages/2-search/out/*.csv", "stages/2-search/out/a.csv"))
        #expect(!WorkflowDecoder.reads("stages/2-search/out/*.csv", "stages/2-search/out/sub/a.csv"))
        #expect(WorkflowDecoder.reads("stages/5/out/tables/x.csv", "stages/5/out/tables/"))
        #expect(WorkflowDecoder.reads("stages/5/out/", "stages/5/out/a.txt"))
        #expect(!WorkflowDecoder.reads("stages/5/out/a.txt", "stages/5/out/b.txt"))
    }
}

@Suite struct JSONTests {
    @Test func parserRecordsPositionsAndKeepsOrder() throws {
        let node = try JSONParser.parse(Array("{\n  \"b\": [1, 2.50],\n  \"a\": \"\\u00e9\\n\"\n}".utf8))
        guard case .object(let members) = node.kind else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a"])
        #expect(members[1].node.line == 3)
        #expect(members[1].node.column == 8)
        #expect(node.value["a"] == .string("é\n"))
        #expect(CanonicalJSON.compact(node.value) == #"{"a":"é\n","b":[1,2.50]}"#)
    }

    @Test func parserRejectsDuplicateKeysAndTrailingText() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(#"{"a": 1, "a": 2}"#.utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array("[1] x".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array("[01x]".utf8)) }
    }

    @Test func prettyOutputIsSortedAndNewlineTerminated() {
        let value = JSONValue.object([JSONMember("z", .number("1")), JSONMember("a", .array([.bool(true), .null]))])
        #expect(CanonicalJSON.pretty(value) == "{\n  \"a\": [\n    true,\n    null\n  ],\n  \"z\": 1\n}\n")
        #expect(JSONValue.formatNumber(0.25) == "0.25")
        #expect(JSONValue.formatNumber(3) == "3")
        #expect(JSONValue.formatNumber(1.0 / 3.0) == "0.333333")
    }
}

@Suite struct WorkflowSchemaTests {
    /// The published schema (for editors) must be exactly what the decoder's catalog generates.
    @Test func publishedSchemaIsInSync() throws {
        let generated = CanonicalJSON.pretty(WorkflowSchema.generate(catalog: BuiltinSteps.registry.catalog))
        let url = RepositoryPaths.packageRoot.appendingPathComponent("Sources/WorkflowModel/workflow.schema.json")
        if ProcessInfo.processInfo.environment["REVIEW_RECORD_SCHEMA"] == "1" { try generated.write(to: url, atomically: true, encoding: .utf8) }
        let published = try readFile(url)
        #expect(published == generated, "run REVIEW_RECORD_SCHEMA=1 swift test --filter WorkflowSchemaTests to update the published schema")
        #expect(published.contains("\"protocol/validate\""))
        #expect(published.contains("search-strategy.txt"))
    }
}

@Suite struct SnapshotManifestTests {
    @Test func encodedManifestDecodesBackEqual() throws {
        let digest = FileDigest(path: "stages/2-search/out/records.jsonl", sha256: String(repeating: "a", count: 64), size: 12)
        let step = StepRecord(
            name: "2-search/import", stage: "2-search", kind: "builtin", uses: "records/import", run: nil, kindVersion: "1",
            parameters: .object([JSONMember("strict", .bool(true))]), definitionSHA256: String(repeating: "b", count: 64),
            key: String(repeating: "c", count: 64), inputs: [digest], outputs: [digest], logs: [".trail/logs/2-search/import.log"],
            summary: "3 records \"imported\"", counts: ["records": 3], snapshot: nil)
        let command = StepRecord(
            name: "2-search/count", stage: "2-search", kind: "command", uses: nil, run: ["sh", "-c", "wc -l"], kindVersion: "command",
            parameters: nil, definitionSHA256: "d", key: "e", inputs: [], outputs: [digest], logs: [], summary: "s", counts: [:],
            snapshot: "0123456789abcdef0123456789abcdef01234567")
        let manifest = SnapshotManifest(
            runnerVersion: "review 0.1.0", stage: "2-search", summary: "2-search: 3 records", workflow: digest,
            ran: ["2-search/import"], steps: [step, command], files: [digest])
        let bytes = manifest.encoded()
        #expect(try SnapshotManifest.decode(bytes) == manifest)
        #expect(try JSONDecoder().decode(SnapshotManifest.self, from: Data(bytes)) == manifest)
        #expect(bytes.last == 0x0A)
        #expect(throws: ManifestError.self) { try SnapshotManifest.decode(Array("{\"stage\": 1}".utf8)) }
    }
}
