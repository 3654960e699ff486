import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

/// A two-stage review of command steps (sort, wc) on a temporary folder, run against an in-memory store.
struct MiniReview {
    let root: URL
    let store = InMemorySnapshotStore()

    static let workflow = """
        {
          "version": 1,
          "stages": [
            { "id": "2-search", "steps": [
              { "id": "sort", "run": ["sort", "-o", "{outputs[0]}", "{inputs[0]}"],
                "inputs": ["stages/2-search/exports/*.txt"], "outputs": ["stages/2-search/out/sorted.txt"] },
              { "id": "count", "run": ["sh", "-c", "wc -l < {inputs[0]} > {outputs[0]}"],
                "inputs": ["stages/2-search/out/sorted.txt"], "outputs": ["stages/2-search/out/count.txt"] } ] },
            { "id": "3-selection", "steps": [
              { "id": "pick", "run": ["sh", "-c", "grep -F -f {inputs[1]} {inputs[0]} > {outputs[0]}"],
                "inputs": ["stages/2-search/out/sorted.txt", "stages/3-selection/keep.txt"],
                "outputs": ["stages/3-selection/out/picked.txt"] } ] }
          ]
        }
        """

    init(root: URL) throws {
        self.root = root
        try writeFile(Self.workflow, to: root.appendingPathComponent("workflow.json"))
        try writeFile("pear\napple\nfig\n", to: root.appendingPathComponent("stages/2-search/exports/a.txt"))
        try writeFile("kiwi\nbanana\n", to: root.appendingPathComponent("stages/2-search/exports/b.txt"))
        try writeFile("apple\nfig\n", to: root.appendingPathComponent("stages/3-selection/keep.txt"))
    }

    func runner() throws -> Runner {
        let folder = try ReviewFolder.load(at: root, catalog: BuiltinSteps.registry.catalog)
        let store = self.store
        return Runner(folder: folder, registry: BuiltinSteps.registry, store: { _ in store })
    }

    func run(_ options: RunOptions = RunOptions()) throws -> RunReport { try runner().run(options) }

    func read(_ path: String) throws -> String { try readFile(root.appendingPathComponent(path)) }
}

@Suite struct RunnerTests {
    @Test func firstRunMakesOneSnapshotPerStageAndSecondNone() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            let first = try review.run()
            #expect(first.snapshots.map(\.stage) == ["2-search", "3-selection"])
            #expect(first.snapshots[0].steps == ["2-search/sort", "2-search/count"])
            #expect(try review.read("stages/2-search/out/sorted.txt") == "apple\nbanana\nfig\nkiwi\npear\n")
            #expect(try review.read("stages/2-search/out/count.txt").trimmingCharacters(in: .whitespacesAndNewlines) == "5")
            #expect(try review.read("stages/3-selection/out/picked.txt") == "apple\nfig\n")
            let second = try review.run()
            #expect(second.snapshots.isEmpty)
            #expect(second.upToDate.count == 3)
            #expect(review.store.moves == 2)
            let status = try review.runner().status()
            #expect(status.steps.allSatisfy { $0.upToDate })
        }
    }

    @Test func snapshotHoldsManifestLogsAndTrailers() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            let report = try review.run()
            let commit = report.snapshots[0].commit
            let files = try review.store.files(at: commit)
            #expect(files.keys.contains(".trail/manifest.json"))
            #expect(files.keys.contains(".trail/logs/2-search/sort.stderr"))
            #expect(files.keys.contains("stages/2-search/exports/a.txt"))
            #expect(files.keys.contains("stages/3-selection/keep.txt"))
            #expect(!files.keys.contains("stages/3-selection/out/picked.txt"))
            let message = try review.store.commit(commit).message
            let trailers = review.store.trailers(of: message)
            #expect(trailers.filter { $0.key == "Step-Id" }.map(\.value) == ["2-search/sort", "2-search/count"])
            #expect(trailers.contains { $0.key == "Input-SHA256" && $0.value.hasSuffix(" stages/2-search/exports/b.txt") })
            #expect(trailers.contains { $0.key == "Output-SHA256" && $0.value.hasSuffix(" stages/2-search/out/sorted.txt") })
            #expect(!trailers.contains { $0.key == "Input-SHA256" && $0.value.hasSuffix("sorted.txt") })
            #expect(message.hasPrefix("2-search: sort wrote sorted.txt 5 lines; count wrote count.txt 1 line\n\nReview-Stage: 2-search\n"))
            let manifest = try JSONDecoder().decode(SnapshotManifest.self, from: Data(try #require(try review.store.read(".trail/manifest.json", at: commit))))
            #expect(manifest.ran == ["2-search/sort", "2-search/count"])
            #expect(manifest.steps.first?.inputs.map(\.path) == ["stages/2-search/exports/a.txt", "stages/2-search/exports/b.txt"])
            let reader = TrailReader(folder: try review.runner().folder, store: review.store)
            #expect(try reader.verify().isEmpty)
        }
    }

    @Test func changedInputRerunsOnlyWhatDependsOnIt() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            _ = try review.run()
            try writeFile("apple\n", to: dir.appendingPathComponent("stages/3-selection/keep.txt"))
            let status = try review.runner().status()
            #expect(status.steps.first { $0.step == "3-selection/pick" }?.reasons == [.inputChanged("stages/3-selection/keep.txt")])
            #expect(status.steps.filter { $0.stage == "2-search" }.allSatisfy { $0.upToDate })
            let report = try review.run()
            #expect(report.snapshots.map(\.stage) == ["3-selection"])
            #expect(try review.read("stages/3-selection/out/picked.txt") == "apple\n")
        }
    }

    @Test func unchangedUpstreamOutputStopsTheCascade() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            _ = try review.run()
            try writeFile("fig\npear\napple\n", to: dir.appendingPathComponent("stages/2-search/exports/a.txt"))
            let report = try review.run()
            #expect(report.snapshots.map(\.steps) == [["2-search/sort"]])
            #expect(report.upToDate.contains("2-search/count"))
            #expect(report.upToDate.contains("3-selection/pick"))
        }
    }

    @Test func editedOrMissingOutputsAreStaleWithTheirPath() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            _ = try review.run()
            try writeFile("tampered\n", to: dir.appendingPathComponent("stages/2-search/out/count.txt"))
            try FileManager.default.removeItem(at: dir.appendingPathComponent("stages/3-selection/out/picked.txt"))
            let status = try review.runner().status()
            #expect(status.steps.first { $0.step == "2-search/count" }?.reasons == [.outputEdited("stages/2-search/out/count.txt")])
            #expect(status.steps.first { $0.step == "3-selection/pick" }?.reasons == [.outputMissing("stages/3-selection/out/picked.txt")])
            let report = try review.run()
            #expect(report.snapshots.map(\.steps) == [["2-search/count"], ["3-selection/pick"]])
            #expect(try review.read("stages/2-search/out/count.txt").trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        }
    }

    @Test func aFolderOutputIsReplacedOnEveryRun() throws {
        try withTemporaryDirectory { dir in
            let workflow = """
                { "version": 1, "stages": [ { "id": "5-collating", "steps": [
                  { "id": "split", "run": ["sh", "-c", "mkdir -p {outputs[0]} && cp {inputs[0]} {outputs[0]}/copy.txt"],
                    "inputs": ["stages/5-collating/in.txt"], "outputs": ["stages/5-collating/out/tables/"] } ] } ] }
                """
            try writeFile(workflow, to: dir.appendingPathComponent("workflow.json"))
            try writeFile("first\n", to: dir.appendingPathComponent("stages/5-collating/in.txt"))
            let folder = try ReviewFolder.load(at: dir, catalog: BuiltinSteps.registry.catalog)
            let store = InMemorySnapshotStore()
            let runner = Runner(folder: folder, registry: BuiltinSteps.registry, store: { _ in store })
            _ = try runner.run(RunOptions())
            let copy = dir.appendingPathComponent("stages/5-collating/out/tables/copy.txt")
            #expect(try readFile(copy) == "first\n")
            try writeFile("second\n", to: dir.appendingPathComponent("stages/5-collating/in.txt"))
            #expect(try runner.run(RunOptions()).snapshots.count == 1)
            #expect(try readFile(copy) == "second\n")
            #expect(try runner.run(RunOptions(force: true)).snapshots.count == 1)
            #expect(try readFile(copy) == "second\n")
        }
    }

    @Test func definitionChangeAndForceAndDryRun() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            _ = try review.run()
            let dry = try review.run(RunOptions(targets: ["2-search/count"], force: true, dryRun: true))
            #expect(dry.planned.map(\.step) == ["2-search/count"])
            #expect(dry.planned.first?.reasons == [.forced])
            #expect(dry.snapshots.isEmpty)
            let forced = try review.run(RunOptions(targets: ["2-search/count"], force: true))
            #expect(forced.snapshots.map(\.steps) == [["2-search/count"]])
            let text = MiniReview.workflow.replacingOccurrences(of: "wc -l <", with: "wc -l <  ")
            try writeFile(text, to: dir.appendingPathComponent("workflow.json"))
            #expect(try review.runner().status().steps.first { $0.step == "2-search/count" }?.reasons == [.definitionChanged])
            #expect(throws: RunnerError.self) { try review.run(RunOptions(targets: ["9-nothing"])) }
        }
    }

    @Test func failingStepLeavesOutputsAndTrailAsTheyWere() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            _ = try review.run()
            let tip = try review.store.tip()
            let before = try review.read("stages/2-search/out/sorted.txt")
            try writeFile("zebra\n", to: dir.appendingPathComponent("stages/2-search/exports/c.txt"))
            let broken = MiniReview.workflow.replacingOccurrences(of: "wc -l < {inputs[0]} > {outputs[0]}", with: "echo partial > {outputs[0]}; echo 'count: bad line 3' >&2; exit 3")
            try writeFile(broken, to: dir.appendingPathComponent("workflow.json"))
            let error = #expect(throws: RunnerError.self) { try review.run() }
            #expect(error?.exitCode == 1)
            #expect(error?.description.contains("count: bad line 3") == true)
            #expect(try review.store.tip() == tip)
            #expect(try review.read("stages/2-search/out/sorted.txt") == before)
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".review/journal.json").path))
        }
    }

    @Test func missingDeclaredOutputAndUndeclaredWritesFail() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            let lazy = MiniReview.workflow.replacingOccurrences(of: "wc -l < {inputs[0]} > {outputs[0]}", with: "true")
            try writeFile(lazy, to: dir.appendingPathComponent("workflow.json"))
            let missing = #expect(throws: RunnerError.self) { try review.run() }
            #expect(missing?.description.contains("did not produce its declared output stages/2-search/out/count.txt") == true)
            let sneaky = MiniReview.workflow.replacingOccurrences(of: "wc -l < {inputs[0]} > {outputs[0]}", with: "wc -l < {inputs[0]} > {outputs[0]}; mkdir -p stages/2-search/out; echo x > stages/2-search/out/extra.txt")
            try writeFile(sneaky, to: dir.appendingPathComponent("workflow.json"))
            let undeclared = #expect(throws: RunnerError.self) { try review.run() }
            #expect(undeclared?.description.contains("wrote files it does not declare: stages/2-search/out/extra.txt") == true)
            #expect(try review.runner().status().undeclared == ["stages/2-search/out/extra.txt"])
        }
    }

    @Test func interruptedStageIsRolledBackByTheNextRun() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            _ = try review.run()
            let original = try review.read("stages/3-selection/out/picked.txt")
            let state = dir.appendingPathComponent(".review")
            let staged = state.appendingPathComponent("staging/new-picked.txt")
            try writeFile("half\n", to: staged)
            let backup = state.appendingPathComponent("backup/3-selection/pick/out0")
            try FileManager.default.createDirectory(at: backup.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: dir.appendingPathComponent("stages/3-selection/out/picked.txt"), to: backup)
            try writeFile("new content, never committed\n", to: dir.appendingPathComponent("stages/3-selection/out/picked.txt"))
            let journal = """
                {"commit": null, "moves": [{"backup": "\(backup.path)", "staged": "\(staged.path)", "target": "stages/3-selection/out/picked.txt"}], "parent": null, "stage": "3-selection"}
                """
            try writeFile(journal, to: state.appendingPathComponent("journal.json"))
            let report = try review.run()
            #expect(report.recovered?.contains("rolled back stage 3-selection") == true)
            #expect(report.snapshots.isEmpty)
            #expect(try review.read("stages/3-selection/out/picked.txt") == original)
        }
    }

    @Test func handMadeInputsMustExistAndStayInside() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            try FileManager.default.removeItem(at: dir.appendingPathComponent("stages/2-search/exports"))
            let error = #expect(throws: RunnerError.self) { try review.runner() }
            #expect(error?.exitCode == 2)
            #expect(error?.description.contains("stages[0].steps[0].inputs[0]") == true)
            #expect(error?.description.contains("matches no file") == true)
            let outside = dir.appendingPathComponent("../outside-\(UUID().uuidString)").standardizedFileURL
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: outside) }
            try writeFile("x\n", to: outside.appendingPathComponent("a.txt"))
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("stages/2-search/exports"), withDestinationURL: outside)
            let escape = #expect(throws: RunnerError.self) { try review.runner() }
            #expect(escape?.description.contains("symlink") == true)
        }
    }

    @Test func secondConcurrentRunIsRefused() throws {
        try withTemporaryDirectory { dir in
            let review = try MiniReview(root: dir)
            let slow = MiniReview.workflow.replacingOccurrences(of: "wc -l < {inputs[0]} > {outputs[0]}", with: "sleep 3; wc -l < {inputs[0]} > {outputs[0]}")
            try writeFile(slow, to: dir.appendingPathComponent("workflow.json"))
            let first = UncheckedSendable(try review.runner())
            let second = try review.runner()
            let started = DispatchSemaphore(value: 0)
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                started.signal()
                _ = try? first.value.run(RunOptions())
                finished.signal()
            }
            started.wait()
            Thread.sleep(forTimeInterval: 1)
            let error = #expect(throws: RunnerError.self) { try second.run(RunOptions()) }
            #expect(error?.description.contains("another `review run`") == true)
            finished.wait()
        }
    }
}
