import Audit
import Foundation
import GitStore
import ReviewTestSupport
import RunnerCore
import Stages
import Testing

@Suite struct ReproduceTests {
    static let builtinOnly = """
        { "version": 1, "stages": [ { "id": "2-search", "steps": [
          { "id": "import", "uses": "records/import", "inputs": ["stages/2-search/exports/*"],
            "outputs": ["stages/2-search/out/records.jsonl", "stages/2-search/out/identification.json"] } ] } ] }
        """

    @Test func builtinReviewReproducesFromItsTrailABundleAndABag() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.write(Self.builtinOnly, "workflow.json")
            try review.run()
            let before = try fingerprint(URL(fileURLWithPath: review.trailPath))
            let reproducer = Reproducer(registry: BuiltinSteps.registry)

            let fromTrail = try reproducer.reproduce(try TrailSource.classify(review.trailPath))
            #expect(fromTrail.source.kind == .repository)
            #expect(fromTrail.identical)
            #expect(fromTrail.outputs.map(\.path) == ["stages/2-search/out/records.jsonl", "stages/2-search/out/identification.json"])
            #expect(fromTrail.stepsRun == ["2-search/import"])
            #expect(!FileManager.default.fileExists(atPath: fromTrail.folder))
            #expect(try fingerprint(URL(fileURLWithPath: review.trailPath)) == before)

            let bundle = dir.appendingPathComponent("trail.bundle")
            try review.bundle(to: bundle)
            let fromBundle = try reproducer.reproduce(try TrailSource.classify(bundle.path))
            #expect(fromBundle.source.kind == .bundle)
            #expect(fromBundle.identical)
            #expect(fromBundle.snapshot == fromTrail.snapshot)

            let bag = dir.appendingPathComponent("bag")
            try FileManager.default.createDirectory(at: bag.appendingPathComponent("data/audit"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: bundle, to: bag.appendingPathComponent("data/audit/trail.bundle"))
            let fromBag = try reproducer.reproduce(try TrailSource.classify(bag.path))
            #expect(fromBag.source.kind == .bag)
            #expect(fromBag.identical)

            let clone = dir.appendingPathComponent("clone")
            let cloned = try git(["clone", "--bare", bundle.path, clone.path])
            #expect(cloned.status == 0, "\(cloned.stderr)")
            #expect(try git(["--git-dir", clone.path, "fsck", "--full", "--strict"]).status == 0)
            #expect(try git(["--git-dir", clone.path, "rev-parse", "trail"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == fromTrail.snapshot)
        }
    }

    @Test func commandStepsAreRefusedAndListedUnlessAllowed() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.run()
            let source = try TrailSource.classify(review.trailPath)
            #expect(throws: AuditError.commandStepsRefused([
                CommandStepListing(step: "2-search/deduplicate", argv: ["cp", "{inputs[0]}", "{outputs[0]}"]),
                CommandStepListing(step: "3-selection/screen", argv: ["cp", "{inputs[0]}", "{outputs[0]}"]),
                CommandStepListing(step: "4-charting/chart", argv: ["cp", "{inputs[0]}", "{outputs[0]}"]),
                CommandStepListing(step: "5-collating/prisma", argv: ["cp", "{inputs[0]}", "{outputs[0]}"]),
                CommandStepListing(step: "5-collating/tables", argv: ["cp", "{inputs[0]}", "{outputs[0]}"]),
            ])) {
                try Reproducer(registry: BuiltinSteps.registry).reproduce(source)
            }
            let report = try Reproducer(registry: BuiltinSteps.registry, allowCommands: true, keep: true).reproduce(source)
            defer { try? FileManager.default.removeItem(atPath: report.folder) }
            #expect(report.identical)
            #expect(report.outputs.count == 7)
            #expect(FileManager.default.fileExists(atPath: report.folder + "/review/stages/4-charting/out/charted.csv"))
        }
    }

    @Test func anOutputThatDoesNotReproduceIsReportedDifferent() throws {
        try withTemporaryDirectory { dir in
            let review = try FixtureReview(in: dir)
            try review.write(
                """
                { "version": 1, "stages": [ { "id": "2-search", "steps": [
                  { "id": "import", "uses": "records/import", "inputs": ["stages/2-search/exports/*"],
                    "outputs": ["stages/2-search/out/records.jsonl", "stages/2-search/out/identification.json"] },
                  { "id": "stamp", "run": ["sh", "-c", "date +%s%N > \\"$REVIEW_OUTPUT_0\\""], "inputs": ["stages/2-search/out/records.jsonl"],
                    "outputs": ["stages/2-search/out/stamp.txt"] } ] } ] }
                """, "workflow.json")
            try review.run()
            let report = try Reproducer(registry: BuiltinSteps.registry, allowCommands: true).reproduce(try TrailSource.classify(review.trailPath))
            #expect(!report.identical)
            #expect(report.outputs.filter { !$0.identical }.map(\.path) == ["stages/2-search/out/stamp.txt"])
            #expect(report.outputs.filter(\.identical).count == 2)
        }
    }

    @Test func notATrailIsABadSource() throws {
        try withTemporaryDirectory { dir in
            try writeFile("# v2 git bundle\nnot-an-id refs/heads/trail\n\n", to: dir.appendingPathComponent("bad.bundle"))
            #expect(throws: AuditError.self) {
                try Reproducer(registry: BuiltinSteps.registry).reproduce(try TrailSource.classify(dir.appendingPathComponent("bad.bundle").path))
            }
            let error = #expect(throws: AuditError.self) { try TrailSource.classify(dir.path) }
            #expect(error?.exitCode == 2)
            let header = #expect(throws: GitError.self) {
                try GitRepository.bundleHeader(of: Array("# v2 git bundle\nnot-an-id refs/heads/trail\n\n".utf8), file: "bad.bundle")
            }
            #expect(header?.message.contains("bad.bundle:2") == true)
        }
    }
}

@Suite struct ReproduceSafetyTests {
    @Test func aManifestPathLeavingTheFolderIsRefused() throws {
        try withTemporaryDirectory { dir in
            let repository = try GitRepository.openOrCreateBare(at: dir.appendingPathComponent("evil.git").path, initialBranch: "trail")
            let manifest = """
                {"files":[{"path":"../escaped.txt","sha256":"\(String(repeating: "0", count: 64))","size":1}],"format":1,"ran":[],
                "runner_version":"review 0.1.0","stage":"2-search","steps":[],"summary":"x",
                "workflow":{"path":"workflow.json","sha256":"\(String(repeating: "0", count: 64))","size":1}}
                """
            let workflow = #"{ "version": 1, "stages": [ { "id": "2-search", "steps": [ { "id": "import", "uses": "records/import", "inputs": ["a/*"], "outputs": ["out/records.jsonl", "out/identification.json"] } ] } ] }"#
            let tree = try repository.writeTree([
                TreeFile(path: ".trail/manifest.json", blob: try repository.writeBlob(Array(manifest.utf8))),
                TreeFile(path: "workflow.json", blob: try repository.writeBlob(Array(workflow.utf8))),
            ])
            let commit = try repository.createCommit(tree: tree, parents: [], message: "x\n", author: Signature(name: "t", email: "t@example.invalid", time: 0))
            try repository.updateReference("refs/heads/trail", to: commit, expected: nil, logMessage: "test")
            let error = #expect(throws: AuditError.self) {
                try Reproducer(registry: BuiltinSteps.registry).reproduce(try TrailSource.classify(repository.path))
            }
            #expect(error?.description.contains("would leave the review folder") == true)
            #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("escaped.txt").path))
        }
    }
}
