import Foundation
import ReviewTestSupport
import Testing

/// The auditor's commands on the example review, through the real binary, checked with the git CLI.
@Suite(.enabled(if: reviewBinaryExists, "build the binary first (make test does, or set REVIEW_BIN)"))
struct AuditCommandTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func exampleReviewReproducesBitForBitAlsoFromAnotherPathAndABundle() throws {
        try withTemporaryDirectory { dir in
            let first = dir.appendingPathComponent("first")
            try FileManager.default.createDirectory(at: first, withIntermediateDirectories: true)
            try copyExampleReview(to: first)
            let review = ReviewBinary(folder: first)
            #expect(try review.run("run").status == 0)

            // Every step of the example is a built-in, so no --allow-commands is needed (refusing command steps is
            // tested in AuditTests).
            let before = try review.git(["count-objects", "-v"]).stdout
            let reproduced = try review.run("reproduce", ["--json"])
            #expect(reproduced.status == 0, "\(reproduced.stderr)")
            let report = try json(reproduced.stdout)
            #expect(report["identical"] as? Bool == true)
            let outputs = try #require(report["outputs"] as? [[String: Any]])
            #expect(outputs.count > 10)
            #expect(outputs.allSatisfy { $0["identical"] as? Bool == true && $0["recorded"] as? String == $0["reproduced"] as? String })
            #expect(try review.git(["count-objects", "-v"]).stdout == before)

            // The same review checked out at another path, and its trail as a bundle cloned elsewhere.
            let moved = dir.appendingPathComponent("elsewhere/deeper/review")
            try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: first, to: moved)
            let movedReview = ReviewBinary(folder: moved)
            let fromMoved = try movedReview.run("reproduce")
            #expect(fromMoved.status == 0, "\(fromMoved.stderr)")
            #expect(fromMoved.stdout.contains("bit for bit"))
            #expect(!fromMoved.stdout.contains("different"))

            let bundle = dir.appendingPathComponent("trail.bundle")
            #expect(try movedReview.git(["bundle", "create", bundle.path, "HEAD", "trail"]).status == 0)
            let fromBundle = try movedReview.run("reproduce", [bundle.path])
            #expect(fromBundle.status == 0, "\(fromBundle.stderr)")
            #expect(fromBundle.stdout.contains("bit for bit"))
        }
    }

    @Test func verifyAgainstAnOldTipDetectsARewrittenTrail() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            let old = try review.tip()
            let bundle = dir.appendingPathComponent("auditor.bundle")
            #expect(try review.git(["bundle", "create", bundle.path, "HEAD", "trail"]).status == 0)
            let intact = try review.run("verify", ["--against", old])
            #expect(intact.status == 0, "\(intact.stdout)")
            #expect(intact.stdout.contains("unchanged"))

            // Rewrite: change a committed file in the 2-search snapshot and re-commit the chain after it with git.
            let stages = try review.git(["rev-list", "--reverse", "trail"]).stdout.split(separator: "\n").map(String.init)
            var parent = ""
            for (index, commit) in stages.enumerated() {
                if index == 0 {
                    parent = commit
                    continue
                }
                var tree = try review.git(["rev-parse", "\(commit)^{tree}"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                do {
                    let dir2 = dir.appendingPathComponent("index-\(index)")
                    let env = ["GIT_INDEX_FILE": dir2.path, "GIT_DIR": review.trail]
                    #expect(try runProgram("git", ["read-tree", tree], environment: env).status == 0)
                    let blob = try runProgram("git", ["hash-object", "-w", "--stdin"], environment: env, stdin: "cluster,record_id,source_id,status,match,score\n")
                    let id = blob.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    #expect(try runProgram("git", ["update-index", "--cacheinfo", "100644,\(id),stages/2-search/out/duplicates.csv"], environment: env).status == 0)
                    tree = try runProgram("git", ["write-tree"], environment: env).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                let message = try review.git(["log", "-1", "--format=%B", commit]).stdout
                let args = ["commit-tree", tree] + (parent.isEmpty ? [] : ["-p", parent])
                parent = try runProgram("git", ["--git-dir", review.trail] + args, environment: ["GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.invalid", "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.invalid"], stdin: message).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            #expect(try review.git(["update-ref", "refs/heads/trail", parent]).status == 0)

            let byTip = try review.run("verify", ["--against", old, "--json"])
            #expect(byTip.status == 1)
            let against = try #require(try json(byTip.stdout)["against"] as? [String: Any])
            #expect(against["rewritten"] as? Bool == true)
            let snapshots = try #require(against["snapshots"] as? [[String: Any]])
            #expect(snapshots.first?["position"] as? Int == 2)
            #expect(snapshots.allSatisfy { ($0["changed_files"] as? [String]) == ["stages/2-search/out/duplicates.csv"] })
            let byBundle = try review.run("verify", ["--against", bundle.path])
            #expect(byBundle.status == 1)
            #expect(byBundle.stdout.contains("REWRITTEN"))
        }
    }

    @Test func signedRunVerifiesWithReviewAndGit() throws {
        try withTemporaryDirectory { dir in
            let key = dir.appendingPathComponent("key")
            try #require(try runProgram("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key.path]).status == 0)
            let allowed = dir.appendingPathComponent("allowed_signers")
            try writeFile("reviewer@example.invalid \(try readFile(dir.appendingPathComponent("key.pub")))", to: allowed)
            let folder = dir.appendingPathComponent("review")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try copyExampleReview(to: folder)
            let review = ReviewBinary(folder: folder)
            let run = try review.run("run", environment: ["REVIEW_SIGNING_KEY": key.path])
            #expect(run.status == 0, "\(run.stderr)")
            let verify = try review.run("verify", ["--allowed-signers", allowed.path])
            #expect(verify.status == 0, "\(verify.stdout)")
            #expect(verify.stdout.contains("5 of 5 snapshots carry a good signature"))
            for commit in try review.git(["rev-list", "trail"]).stdout.split(separator: "\n") {
                let checked = try review.git(["-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=\(allowed.path)", "verify-commit", String(commit)])
                #expect(checked.status == 0, "\(checked.stderr)")
            }
            #expect(try review.git(["fsck", "--full", "--strict"]).status == 0)
        }
    }

    @Test func traceDiffAndLogAnswerInJSON() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            let duplicates = try readFile(dir.appendingPathComponent("stages/2-search/out/duplicates.csv"))
            let removedRow = try #require(duplicates.split(separator: "\n").first { $0.contains(",removed,") })
            let removed = String(removedRow.split(separator: ",")[1])
            let traced = try review.run("trace", [removed, "--json"])
            #expect(traced.status == 0, "\(traced.stderr)")
            let trace = try json(traced.stdout)
            #expect(trace["record"] as? String == removed)
            let events = try #require(trace["events"] as? [[String: Any]])
            #expect(events.allSatisfy { Set($0.keys).isSuperset(of: ["stage", "snapshot", "kind", "detail"]) })
            #expect(events.contains { $0["kind"] as? String == "cluster" })
            #expect(events.contains { $0["kind"] as? String == "decision" })
            #expect(try review.run("trace", ["nosuch:1"]).status == 2)

            let diffed = try review.run("diff", ["trail~3", "trail", "--json"])
            #expect(diffed.status == 0, "\(diffed.stderr)")
            let diff = try json(diffed.stdout)
            for key in ["records_added", "records_removed", "clusters_changed", "decisions_changed", "charted_changed", "numbers_changed", "files_changed"] {
                #expect(diff[key] != nil, "\(key)")
            }

            let graph = try review.run("log", ["--graph"])
            #expect(graph.status == 0)
            #expect(graph.stdout.split(separator: "\n").filter { $0.hasPrefix("* ") }.count == 5)
        }
    }
}
