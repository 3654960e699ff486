import Foundation
import ReviewTestSupport
import Testing

/// A two-stage review whose stage-2 step can be made slow, to interrupt it in the middle.
struct SlowReview {
    let folder: URL
    var review: ReviewBinary { ReviewBinary(folder: folder) }
    var result: URL { folder.appendingPathComponent("stages/2-work/out/result.txt") }

    static let protocolText = """
        {"title": "t", "research_question": "q?", "eligibility": {"include": ["a"], "exclude": []},
         "databases": [{"name": "Medline"}], "search_dates": [{"date": "2021-01-04"}],
         "search_lines": [{"n": 1, "query": "peer"}, {"n": 2, "query": "worker"}, {"n": 3, "query": "1 and 2"}]}
        """

    static let workflow = """
        {"version": 1, "stages": [
          {"id": "1-question", "steps": [{"id": "protocol", "uses": "protocol/validate",
            "inputs": ["stages/1-question/protocol.json"],
            "outputs": ["stages/1-question/out/protocol.json", "stages/1-question/out/search-strategy.txt"]}]},
          {"id": "2-work", "steps": [
            {"id": "sort", "run": ["sh", "{inputs[0]}", "{inputs[1]}", "{outputs[0]}"],
             "inputs": ["stages/2-work/sort.sh", "stages/2-work/data.txt"], "outputs": ["stages/2-work/out/result.txt"]},
            {"id": "count", "run": ["sh", "-c", "wc -l < {inputs[0]} > {outputs[0]}"],
             "inputs": ["stages/2-work/out/result.txt"], "outputs": ["stages/2-work/out/count.txt"]}]}
        ]}
        """

    init(folder: URL) throws {
        self.folder = folder
        try writeFile(Self.workflow, to: folder.appendingPathComponent("workflow.json"))
        try writeFile(Self.protocolText, to: folder.appendingPathComponent("stages/1-question/protocol.json"))
        try writeFile("c\na\nb\n", to: folder.appendingPathComponent("stages/2-work/data.txt"))
        try setScript(sleep: 0)
    }

    func setScript(sleep seconds: Int) throws {
        try writeFile("sleep \(seconds)\nsort \"$1\" > \"$2\"\n", to: folder.appendingPathComponent("stages/2-work/sort.sh"))
    }

    /// Starts `review run` without waiting for it.
    func start(environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.reviewBinary)
        process.arguments = ["run", "-C", folder.path]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct InterruptionTests {
    @Test(arguments: [SIGINT, SIGKILL, SIGTERM])
    func signalInTheMiddleOfAStepLosesNothing(_ signal: Int32) throws {
        try withTemporaryDirectory { dir in
            let slow = try SlowReview(folder: dir)
            #expect(try slow.review.run("run").status == 0)
            let tip = try slow.review.tip()
            let before = try readFile(slow.result)
            for round in 1...3 {
                try writeFile("round \(round)\nz\n", to: dir.appendingPathComponent("stages/2-work/data.txt"))
                try slow.setScript(sleep: 3)
                let process = try slow.start()
                Thread.sleep(forTimeInterval: 1.0)
                kill(process.processIdentifier, signal)
                process.waitUntilExit()
                #expect(process.terminationStatus != 0)
                #expect(try slow.review.tip() == tip, "round \(round): the trail moved")
                #expect(try readFile(slow.result) == before, "round \(round): the previous output changed")
                #expect(try slow.review.git(["fsck", "--full", "--strict"]).status == 0)
            }
            try slow.setScript(sleep: 0)
            let recovered = try slow.review.run("run")
            #expect(recovered.status == 0, "\(recovered.stderr)")
            #expect(try readFile(slow.result) == "round 3\nz\n")
            #expect(try slow.review.run("verify").status == 0)
            #expect(try slow.review.stagesInTrail() == ["1-question", "2-work", "2-work"])
        }
    }

    @Test(arguments: ["after-moves", "before-ref-update"])
    func crashWhileOutputsMoveIsRolledBack(_ point: String) throws {
        try withTemporaryDirectory { dir in
            let slow = try SlowReview(folder: dir)
            #expect(try slow.review.run("run").status == 0)
            let tip = try slow.review.tip()
            let before = try readFile(slow.result)
            try writeFile("x\ny\n", to: dir.appendingPathComponent("stages/2-work/data.txt"))
            let crashed = try slow.review.run("run", environment: ["REVIEW_FAULT": point])
            #expect(crashed.status == 70)
            #expect(try slow.review.tip() == tip)
            let status = try slow.review.run("status")
            #expect(status.status == 0)
            #expect(try readFile(slow.result) == before, "reading the review after a crash restores the previous outputs")
            let verify = try slow.review.run("verify")
            #expect(verify.stdout.contains("stages/2-work/data.txt: changed since the last snapshot"), "the edited input is reported")
            #expect(!verify.stdout.contains("result.txt"), "\(verify.stdout)")
            let rerun = try slow.review.run("run")
            #expect(rerun.status == 0, "\(rerun.stderr)")
            #expect(try readFile(slow.result) == "x\ny\n")
            #expect(try slow.review.run("verify").status == 0)
        }
    }

    @Test func crashAfterTheRefMovedKeepsTheNewSnapshot() throws {
        try withTemporaryDirectory { dir in
            let slow = try SlowReview(folder: dir)
            #expect(try slow.review.run("run").status == 0)
            let tip = try slow.review.tip()
            try writeFile("q\np\n", to: dir.appendingPathComponent("stages/2-work/data.txt"))
            let crashed = try slow.review.run("run", environment: ["REVIEW_FAULT": "after-ref-update"])
            #expect(crashed.status == 70)
            #expect(try slow.review.tip() != tip)
            let rerun = try slow.review.run("run")
            #expect(rerun.stdout.contains("Everything is up to date"), "\(rerun.stdout)\(rerun.stderr)")
            #expect(try readFile(slow.result) == "p\nq\n")
            #expect(try slow.review.run("verify").status == 0)
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".review/backup").path))
        }
    }

    @Test func secondRunIsRefusedWhileOneIsWorking() throws {
        try withTemporaryDirectory { dir in
            let slow = try SlowReview(folder: dir)
            try slow.setScript(sleep: 3)
            let process = try slow.start()
            Thread.sleep(forTimeInterval: 1.0)
            let second = try slow.review.run("run")
            #expect(second.status == 1)
            #expect(second.stderr.contains("another `review run` is working on this review"))
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
    }
}
