import Foundation
import ReviewTestSupport
import Testing

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct ScreeningCommandTests {
    func review(_ arguments: [String], in dir: URL) throws -> ProcessResult {
        try runProgram(RepositoryPaths.reviewBinary, arguments, in: dir)
    }

    @Test func agreementOfTwoDecisionFilesWithoutAWorkflow() throws {
        try withTemporaryDirectory { dir in
            try writeFile("record_id,decision,reason,note\nm:1,include,,\nm:2,exclude,,\nm:3,include,,\nm:4,exclude,,\nm:5,include,,\n", to: dir.appendingPathComponent("abstract-ana.csv"))
            try writeFile("record_id,decision,reason,note\nm:1,include,,\nm:2,include,,\nm:4,exclude,,\nm:5,include,,\nm:9,maybe,,\n", to: dir.appendingPathComponent("abstract-ben.csv"))
            let json = try review(["screening", "agreement", "abstract-ana.csv", "abstract-ben.csv", "--json"], in: dir)
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["n"] as? Int == 4)
            #expect(object["kappa"] as? Double == 0.5)
            #expect(object["percent_agreement"] as? Double == 0.75)
            #expect(object["conflicts"] as? [String] == ["m:2"])
            #expect(object["phase"] as? String == "abstract")
            #expect(object["reviewer_a"] as? String == "ana")
            let text = try review(["screening", "agreement", "abstract-ana.csv", "abstract-ben.csv"], in: dir)
            #expect(text.stdout.hasPrefix("abstract: ana and ben on 4 records: 75.0% agreement, kappa 0.50"))
            try writeFile("record_id,decision,reason,note\nm:1,include,,\nm:1,exclude,,\n", to: dir.appendingPathComponent("bad.csv"))
            let bad = try review(["screening", "agreement", "bad.csv", "abstract-ben.csv"], in: dir)
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("bad.csv:3:1: record m:1 is decided twice"))
        }
    }

    @Test func exampleReviewWritesTheStageThreeAndFourContractFiles() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let run = try runProgram(RepositoryPaths.reviewBinary, ["run"], in: dir)
            #expect(run.status == 0, "\(run.stderr)")
            let out = dir.appendingPathComponent("stages/3-selection/out")
            for phase in ["abstract", "fulltext", "final"] {
                let final = try readFile(out.appendingPathComponent("final-\(phase).csv"))
                #expect(final.hasPrefix("record_id,decision,reason,basis,source\n"))
                let agreement = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("agreement-\(phase).json"))) as? [String: Any])
                #expect(agreement.keys.sorted() == ["conflicts", "kappa", "kappa_ci_high", "kappa_ci_low", "n", "percent_agreement", "phase", "reviewer_a", "reviewer_b"])
            }
            #expect(try readFile(out.appendingPathComponent("sample.csv")).hasPrefix("phase,record_id,"))
            let included = try readFile(out.appendingPathComponent("included.jsonl")).split(separator: "\n")
            let charted = try readFile(dir.appendingPathComponent("stages/4-charting/out/charted.csv")).split(separator: "\n")
            #expect(charted.count == included.count + 1)
            // A conflict left without a resolution stops the stage (exit 1) and names the record; nothing moves.
            let resolutions = dir.appendingPathComponent("stages/3-selection/resolutions/final.csv")
            let text = try readFile(resolutions)
            try writeFile(text.split(separator: "\n").filter { !$0.hasPrefix("wos:98,") }.joined(separator: "\n") + "\n", to: resolutions)
            let tip = try review(["log", "--json"], in: dir).stdout
            let failed = try review(["run"], in: dir)
            #expect(failed.status == 1)
            #expect(failed.stderr.contains("wos:98"))
            #expect(try review(["log", "--json"], in: dir).stdout == tip)
        }
    }
}
