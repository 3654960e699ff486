import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

/// Runs `protocol/validate` on a protocol text in a temporary folder.
func validateProtocol(_ text: String, in dir: URL) throws(RunnerError) -> (StepOutcome, String, String) {
    let input = dir.appendingPathComponent("protocol.json")
    try AtomicFile.write(text, to: input)
    let outputs = [dir.appendingPathComponent("out/protocol.json"), dir.appendingPathComponent("out/search-strategy.txt")]
    let step = Step(
        id: "protocol", stageID: "1-question", action: .builtin("protocol/validate"), parameters: [], inputs: ["protocol.json"],
        outputs: ["out/protocol.json", "out/search-strategy.txt"], environment: [], description: nil,
        location: SourceLocation(file: "workflow.json", line: 1, column: 1, path: ""), inputLocations: [], outputLocations: [])
    let context = StepContext(step: step, root: dir, inputs: [[ResolvedFile(path: "stages/1-question/protocol.json", location: input.path)]], outputs: outputs, progress: { _ in })
    let outcome = try ProtocolValidate().run(context)
    let normalised = (try? readFile(outputs[0])) ?? ""
    let strategy = (try? readFile(outputs[1])) ?? ""
    return (outcome, normalised, strategy)
}

func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try readFile(url)
}

@Suite struct ProtocolValidateTests {
    @Test func validatesAndNormalises() throws {
        try withTemporaryDirectory { dir in
            let (outcome, normalised, strategy) = try validateProtocol(try fixture("protocol-small.json"), in: dir)
            #expect(outcome.counts == ["search_lines": 6, "databases": 2, "search_dates": 1])
            #expect(outcome.summary == "protocol validated with 6 search lines (3 combinations) for 2 databases")
            let value = try JSONParser.parse(Array(normalised.utf8)).value
            let lines = try #require(value["search_lines"]?.arrayValue)
            #expect(lines[2]["refs"] == .array([.number("1"), .number("2")]))
            #expect(lines[4]["refs"] == .array([.number("3"), .number("4")]))
            #expect(lines[5]["refs"] == .array([.number("5")]))
            #expect(lines[0]["kind"] == .string("term"))
            #expect(normalised.hasPrefix("{\n  \"databases\""))
            #expect(strategy.contains("== Medline ==\n1  Peer Group\n2  (peer adj provid*).ti,ab\n3  or/1–2\n"))
            #expect(strategy.contains("== Scopus ==\n"))
            #expect(strategy.contains("Searches run: 2021-01-04 (initial search)"))
        }
    }

    /// Each broken protocol: what to replace, the field and line the error must name, and a phrase.
    static let brokenCases: [(String, String, String, String)] = [
        (#""query": "3 and 4""#, #""query": "3 and 7""#, "search_lines[4].query", "refers to line 7, which does not exist"),
        (#""query": "or/1–2""#, #""query": "or/1–5""#, "search_lines[2].query", "refers to line 5, which comes after it"),
        (#"{ "n": 4,"#, #"{ "n": 9,"#, "search_lines[3].n", "line number 9 where 4 was expected"),
        (#""date": "2021-01-04""#, #""date": "04.01.2021""#, "search_dates[0].date", "is not a date written YYYY-MM-DD"),
        (#""research_question": "How are peer workers involved?","#, "", "research_question", "missing required field"),
        (#""search_fields""#, #""search_field""#, "search_field", "unknown key"),
        (#""include": ["peer workers in services"]"#, #""include": []"#, "eligibility.include", "no inclusion criteria"),
    ]

    @Test(arguments: 0..<brokenCases.count)
    func rejectsBrokenProtocols(_ index: Int) throws {
        let (find, replace, field, phrase) = Self.brokenCases[index]
        let original = try fixture("protocol-small.json")
        #expect(original.contains(find))
        try withTemporaryDirectory { dir in
            let error = #expect(throws: RunnerError.self) { try validateProtocol(original.replacingOccurrences(of: find, with: replace), in: dir) }
            guard case .input(let input) = error else {
                Issue.record("expected an input error, got \(String(describing: error))")
                return
            }
            #expect(error?.exitCode == 2)
            #expect(input.file == "stages/1-question/protocol.json")
            #expect(input.line != nil)
            #expect(input.field == field, "\(input)")
            #expect(input.message.contains(phrase), "\(input)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/protocol.json").path))
        }
    }

    @Test func combinationReferencesAreParsed() throws {
        try withTemporaryDirectory { dir in
            let text = try fixture("protocol-small.json").replacingOccurrences(of: #""query": "3 and 4""#, with: #""query": "1 or 2 not 4""#)
            let (_, normalised, _) = try validateProtocol(text, in: dir)
            let lines = try #require(try JSONParser.parse(Array(normalised.utf8)).value["search_lines"]?.arrayValue)
            #expect(lines[4]["refs"] == .array([.number("1"), .number("2"), .number("4")]))
        }
    }
}
