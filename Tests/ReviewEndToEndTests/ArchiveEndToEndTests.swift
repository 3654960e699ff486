import Foundation
import ReviewTestSupport
import Testing

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct ArchiveEndToEndTests {
    @Test func exampleReviewArchivePassesTheValidatorsAndVerifies() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            let archived = try review.run("archive")
            #expect(archived.status == 0, "\(archived.stderr)")
            #expect(archived.stdout.contains("as archive/1"))
            let bag = dir.appendingPathComponent("archive/bag")
            for path in ["data/records/unique.csv", "data/records/duplicates.csv", "data/protocol/protocol.json", "data/search/search-strategy.txt",
                "data/charting/charted.csv", "data/charting/codebook.csv", "data/audit/trail.bundle", "data/report/PRISMA.csv"] {
                #expect(FileManager.default.fileExists(atPath: bag.appendingPathComponent(path).path), "missing \(path)")
            }
            let verify = try review.run("verify", ["--archive", "archive"])
            #expect(verify.status == 0, "\(verify.stdout)")
            let sums = try runProgram("sha256sum", ["-c", "--quiet", "manifest-sha256.txt"], in: bag)
            #expect(sums.status == 0, "\(sums.stdout)")
            let clone = try git(["clone", "--quiet", bag.appendingPathComponent("data/audit/trail.bundle").path, dir.appendingPathComponent("clone").path])
            #expect(clone.status == 0, "\(clone.stderr)")
            #expect(try git(["-C", dir.appendingPathComponent("clone").path, "rev-parse", "HEAD"]).stdout == (try review.tip()) + "\n")
            let zip = try Data(contentsOf: dir.appendingPathComponent("archive/bag.zip"))
            #expect(try review.run("archive").status == 0)
            #expect(try Data(contentsOf: dir.appendingPathComponent("archive/bag.zip")) == zip, "archiving twice gives the same bag.zip")
            let dryRun = try review.run("deposit", ["--server", "https://demo.dataverse.org", "--collection", "reviews", "--dry-run"])
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("POST https://demo.dataverse.org/api/dataverses/reviews/datasets"))
            let noToken = try review.run("deposit", ["--server", "https://demo.dataverse.org", "--collection", "reviews"], environment: ["REVIEW_DATAVERSE_TOKEN": ""])
            #expect(noToken.status == 2 && noToken.stderr.contains("REVIEW_DATAVERSE_TOKEN"))
            guard let shared = RepositoryPaths.shared else {
                print("skipped the external validators: ../shared is absent")
                return
            }
            let checks = shared.appendingPathComponent("checks")
            for (script, arguments) in [
                ("check-bag", [bag.path]),
                ("check-bag", [dir.appendingPathComponent("archive/bag.zip").path]),
                ("check-bag", [dir.appendingPathComponent("archive/bag.tar").path]),
                ("check-rocrate", ["--require-sha256", bag.path]),
                ("check-dataverse-json", [dir.appendingPathComponent("archive/dataverse-dataset.json").path]),
                ("check-git-trail", ["--trailer", "Review-Stage", "--hash-trailer", "Output-SHA256", "--hash-trailer", "Input-SHA256", bag.appendingPathComponent("data/audit/trail.bundle").path]),
            ] {
                let result = try runProgram(checks.appendingPathComponent(script).path, arguments)
                #expect(result.status == 0, "\(script) \(arguments.last ?? ""): \(result.stdout)\(result.stderr)")
            }
        }
    }

    @Test func verifyArchiveFailsOnATamperedPayloadFile() throws {
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run").status == 0)
            #expect(try review.run("archive").status == 0)
            let file = dir.appendingPathComponent("archive/bag/data/charting/charted.csv")
            let handle = try FileHandle(forWritingTo: file)
            handle.seekToEndOfFile()
            handle.write(Data("x\n".utf8))
            try handle.close()
            let verify = try review.run("verify", ["--archive", "archive", "--json"])
            #expect(verify.status == 1)
            #expect(verify.stdout.contains("data/charting/charted.csv"))
        }
    }
}
