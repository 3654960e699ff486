import Audit
import Foundation
import GitStore
import ReviewTestSupport
import RunnerCore
import Testing

@Suite struct TamperTests {
    @Test func aTrailThatOnlyGrewIsNotRewritten() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let old = try review.tip()
            let bundle = dir.appendingPathComponent("old.bundle")
            try review.bundle(to: bundle)
            try review.write("record_id,setting,design\nmedline:1,community,qualitative\nmedline:3,hospital,survey\n", "stages/4-charting/charting.csv")
            try review.run()
            let check = try TamperCheck(trailPath: review.trailPath, branch: "trail")
            let byID = try check.compare(against: old)
            #expect(!byID.rewritten)
            // The charting and collating stages ran again: two snapshots on top of the auditor's copy.
            #expect(byID.added == 2)
            let byBundle = try check.compare(against: bundle.path)
            #expect(!byBundle.rewritten)
            #expect(byBundle.added == 2)
        }
    }

    @Test func aChangedSnapshotWithARecommittedChainIsDetected() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let old = try review.tip()
            let bundle = dir.appendingPathComponent("old.bundle")
            try review.bundle(to: bundle)
            // Rewrite history: change a screening decision, drop the trail and re-commit every stage.
            try review.write(
                "record_id,decision,reason,note\nmedline:1,include,,\nmedline:2,include,,\nmedline:3,include,,\nscopus:2,exclude,wrong-concept,\n",
                "stages/3-selection/decisions/abstract-first.csv")
            try FileManager.default.removeItem(atPath: review.trailPath)
            for stage in ["2-search", "3-selection", "4-charting", "5-collating"] { try FileManager.default.removeItem(at: review.root.appendingPathComponent("stages/\(stage)/out")) }
            try review.run()
            let check = try TamperCheck(trailPath: review.trailPath, branch: "trail")
            let byID = try check.compare(against: old)
            #expect(byID.rewritten)
            let byBundle = try check.compare(against: bundle.path)
            #expect(byBundle.rewritten)
            // Every snapshot holds every declared file of the review, so all three changed, each in that one file.
            #expect(byBundle.snapshots.map(\.stage) == ["2-search", "3-selection", "4-charting", "5-collating"])
            #expect(byBundle.snapshots.map(\.changedFiles) == Array(repeating: [".trail/manifest.json", "stages/3-selection/decisions/abstract-first.csv"], count: 4))
            #expect(byBundle.snapshots.allSatisfy { $0.new != nil && $0.new != $0.old })
            #expect(throws: AuditError.self) { try check.compare(against: "not-a-revision") }
        }
    }

    @Test func signedSnapshotsVerifyHereAndWithGitVerifyCommit() throws {
        try withTemporaryDirectory { dir in
            let key = dir.appendingPathComponent("key")
            let made = try runProgram("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "auditor", "-f", key.path])
            try #require(made.status == 0, "\(made.stderr)")
            let publicKey = try readFile(dir.appendingPathComponent("key.pub")).trimmingCharacters(in: .whitespacesAndNewlines)
            let allowed = dir.appendingPathComponent("allowed_signers")
            try writeFile("runner@example.invalid \(publicKey)\n", to: allowed)
            let review = try FixtureReview(in: dir, signer: SSHCommitSigner(keyPath: key.path))
            try review.run()
            let check = try TamperCheck(trailPath: review.trailPath, branch: "trail")
            let results = try check.signatures(allowedSigners: allowed.path)
            #expect(results.count == 4)
            #expect(results.allSatisfy { $0.state == .good && $0.principal == "runner@example.invalid" })

            for result in results {
                let verified = try git([
                    "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=\(allowed.path)", "--git-dir", review.trailPath, "verify-commit", result.commit,
                ])
                #expect(verified.status == 0, "\(verified.stderr)")
            }
            #expect(try git(["--git-dir", review.trailPath, "fsck", "--full", "--strict"]).status == 0)

            let other = dir.appendingPathComponent("other")
            #expect(try runProgram("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other.path]).status == 0)
            let stranger = dir.appendingPathComponent("stranger_signers")
            try writeFile("someone@example.invalid \(try readFile(dir.appendingPathComponent("other.pub")))", to: stranger)
            #expect(try check.signatures(allowedSigners: stranger.path).allSatisfy { $0.state == .bad })
            let refused = try git([
                "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=\(stranger.path)", "--git-dir", review.trailPath, "verify-commit", results[0].commit,
            ])
            #expect(refused.status != 0)
        }
    }

    @Test func unsignedSnapshotsAreReportedUnsigned() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let results = try TamperCheck(trailPath: review.trailPath, branch: "trail").signatures(allowedSigners: nil)
            #expect(results.map(\.state) == [.unsigned, .unsigned, .unsigned, .unsigned])
        }
    }
}
