import Foundation
import ReviewTestSupport
import Testing

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct ExampleReviewTests {
    @Test func firstRunCommitsEachStageAndSecondRunNothing() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            let first = try review.run("run")
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try review.stagesInTrail() == exampleStageIDs())
            let fsck = try review.git(["fsck", "--full", "--strict"])
            #expect(fsck.status == 0, "\(fsck.stderr)")
            #expect(try review.git(["symbolic-ref", "HEAD"]).stdout == "refs/heads/trail\n")
            for commit in try review.git(["rev-list", "trail"]).stdout.split(separator: "\n") {
                let body = try review.git(["log", "-1", "--format=%B", String(commit)]).stdout
                let parsed = try runProgram("git", ["interpret-trailers", "--parse"], environment: [:], stdin: body)
                let keys = Set(parsed.stdout.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) })
                #expect(keys.isSuperset(of: ["Review-Stage", "Step-Id", "Runner-Version", "Workflow-SHA256", "Output-SHA256"]), "\(commit): \(parsed.stdout)")
                let tree = Set(try review.git(["ls-tree", "-r", "--name-only", String(commit)]).stdout.split(separator: "\n").map(String.init))
                for line in parsed.stdout.split(separator: "\n") where line.hasPrefix("Output-SHA256:") || line.hasPrefix("Input-SHA256:") {
                    let parts = line.split(separator: " ", maxSplits: 2)
                    #expect(parts.count == 3 && tree.contains(String(parts[2])), "\(line) names a file not in \(commit)")
                    let blob = try review.git(["show", "\(commit):\(parts[2])"])
                    let sha = try runProgram("sha256sum", [], stdin: blob.stdout).stdout.prefix(64)
                    #expect(String(sha) == String(parts[1]), "\(line)")
                }
            }
            let tip = try review.tip()
            let second = try review.run("run")
            #expect(second.status == 0)
            #expect(second.stdout.contains("Everything is up to date"))
            #expect(try review.tip() == tip)
            let status = try review.run("status")
            #expect(status.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("up to date") }, "\(status.stdout)")
            let verify = try review.run("verify")
            #expect(verify.status == 0, "\(verify.stdout)")
        }
    }

    @Test func editingAStageThreeInputRerunsStageThreeAndDownstreamOnly() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            let before = try review.stagesInTrail().count
            let input = "stages/3-selection/resolutions/final.csv"
            let url = dir.appendingPathComponent(input)
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.contains("discussed;"))
            try writeFile(text.replacingOccurrences(of: "discussed;", with: "discussed by both reviewers;"), to: url)
            let status = try review.run("status", ["--json"])
            #expect(status.stdout.contains(input))
            let rerun = try review.run("run")
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let added = Array(try review.stagesInTrail().dropFirst(before))
            #expect(added.first == "3-selection")
            #expect(!added.contains("1-question") && !added.contains("2-search"))
            #expect(Set(added).isSubset(of: ["3-selection", "4-charting", "5-collating"]))
            #expect(try review.run("verify").status == 0)
        }
    }

    @Test func verifyFailsNamingAHandEditedOutput() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            #expect(try review.run("verify").status == 0)
            let edited = "stages/1-question/out/search-strategy.txt"
            try writeFile("edited by hand\n", to: dir.appendingPathComponent(edited))
            let verify = try review.run("verify")
            #expect(verify.status == 1)
            #expect(verify.stdout.contains(edited))
            let status = try review.run("status")
            #expect(status.stdout.contains("output edited since the last snapshot: \(edited)"))
        }
    }

    @Test func logShowAndJSONWorkFromAnotherDirectory() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            let log = try review.run("log", ["--json"])
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
            #expect(entries.compactMap { $0["stage"] as? String }.reversed() == (try exampleStageIDs()))
            let stage2 = try review.run("log", ["--stage", "2-search"])
            #expect(stage2.stdout.split(separator: "\n").count == 1)
            let show = try review.run("show", ["@1-question", "--json"])
            let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
            let manifest = try #require(shown["manifest"] as? [String: Any])
            #expect(manifest["stage"] as? String == "1-question")
            #expect(try review.run("show", ["trail~99"]).status == 2)
            let bad = try review.run("run", ["9-nothing"])
            #expect(bad.status == 2)
            #expect(bad.stderr.contains("unknown stage or step"))
        }
    }

    @Test func trailPassesTheExternalChecker() throws {
        guard let shared = RepositoryPaths.shared else {
            print("skipped: ../shared/checks is absent, so check-git-trail cannot run")
            return
        }
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            let checker = shared.appendingPathComponent("checks/check-git-trail").path
            let result = try runProgram(
                checker, ["--trailer", "Review-Stage", "--trailer", "Step-Id", "--hash-trailer", "Output-SHA256", "--hash-trailer", "Input-SHA256", "--linear", review.trail])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("OK"))
        }
    }
}
