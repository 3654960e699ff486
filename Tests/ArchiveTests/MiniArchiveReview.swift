import Archive
import Foundation
import ReviewTestSupport
import RunnerCore
import Stages
import Testing
import WorkflowModel

/// A two-stage review of command steps (cp) with a `review` block and a real git trail, for archiving.
struct MiniArchiveReview {
    let root: URL

    /// The review block; tests drop fields from it.
    static let review: [String: String] = [
        "title": "\"Mini review for archive tests (invented test data)\"",
        "description": "\"Invented test data: two command steps copy hand-made CSV files into the stages' outputs.\"",
        "authors": "[{ \"name\": \"Tester, Ann\", \"affiliation\": \"Test University\" }]",
        "contact": "{ \"name\": \"Tester, Ann\", \"email\": \"ann@example.org\" }",
        "subject": "[\"Medicine, Health and Life Sciences\"]",
        "keywords": "[\"testing\"]",
        "license": "\"CC-BY-4.0\"",
    ]

    static func workflow(without missing: String? = nil) -> String {
        let block = review.keys.sorted().filter { $0 != missing }.map { "\"\($0)\": \(review[$0]!)" }.joined(separator: ",\n    ")
        return """
            {
              "version": 1,
              "review": {
                \(block)
              },
              "stages": [
                { "id": "2-search", "steps": [
                  { "id": "deduplicate", "run": ["cp", "{inputs[0]}", "{outputs[0]}"],
                    "inputs": ["stages/2-search/clusters.csv"], "outputs": ["stages/2-search/out/duplicates.csv"] } ] },
                { "id": "3-selection", "steps": [
                  { "id": "final", "run": ["cp", "{inputs[0]}", "{outputs[0]}"],
                    "inputs": ["stages/3-selection/decisions/abstract-first.csv"], "outputs": ["stages/3-selection/out/final-abstract.csv"] } ] }
              ]
            }
            """
    }

    init(root: URL, without missing: String? = nil) throws {
        self.root = root
        try writeFile(Self.workflow(without: missing), to: root.appendingPathComponent("workflow.json"))
        try writeFile(
            "cluster,record_id,source_id,status,match,score\n1,medline:1,111,kept,doi,1.000\n1,scopus:4,\"A, B\",removed,doi,1.000\n",
            to: root.appendingPathComponent("stages/2-search/clusters.csv"))
        try writeFile(
            "record_id,decision,reason,note\nmedline:1,include,,\nmedline:2,exclude,wrong population,\"said \"\"no\"\"\"\n",
            to: root.appendingPathComponent("stages/3-selection/decisions/abstract-first.csv"))
    }

    func folder() throws -> ReviewFolder { try ReviewFolder.load(at: root, catalog: BuiltinSteps.registry.catalog) }

    @discardableResult
    func run() throws -> RunReport {
        try Runner(folder: try folder(), registry: BuiltinSteps.registry, progress: { _ in }).run(RunOptions())
    }

    func archive(_ output: String = "archive") throws -> ArchiveResult {
        try Archiver(folder: try folder(), runnerVersion: runnerVersion).write(output: output)
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: root.appendingPathComponent(path))) }
}

/// Files under a folder, relative paths with their bytes.
func tree(_ folder: URL) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    let base = folder.standardizedFileURL.path + "/"
    guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return out }
    for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
        out[String(url.standardizedFileURL.path.dropFirst(base.count))] = Array(try Data(contentsOf: url))
    }
    return out
}

/// The shared validators (../shared/checks), or nil with a message when ../shared is absent.
func checksFolder() -> URL? {
    guard let shared = RepositoryPaths.shared else {
        print("skipped: ../shared is absent, so the external validators cannot run")
        return nil
    }
    return shared.appendingPathComponent("checks")
}
