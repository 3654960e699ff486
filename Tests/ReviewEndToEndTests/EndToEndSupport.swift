import Foundation
import ReviewTestSupport
import Testing

/// Runs the real `review` binary (REVIEW_BIN) on a review folder.
struct ReviewBinary {
    let folder: URL

    @discardableResult
    func callAsFunction(_ arguments: String..., environment: [String: String] = [:]) throws -> ProcessResult {
        try runProgram(RepositoryPaths.reviewBinary, ["-C", folder.path] + arguments.dropFirst(0), environment: environment)
    }

    /// Runs `review <subcommand> -C DIR args…` (the subcommand first, as ArgumentParser wants).
    @discardableResult
    func run(_ subcommand: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> ProcessResult {
        try runProgram(RepositoryPaths.reviewBinary, [subcommand, "-C", folder.path] + arguments, environment: environment)
    }

    var trail: String { folder.appendingPathComponent(".review/trail.git").path }

    /// `git --git-dir=<trail> args…`.
    func git(_ arguments: [String]) throws -> ProcessResult { try ReviewTestSupport.git(["--git-dir", trail] + arguments) }

    /// The Review-Stage of every trail commit, oldest first.
    func stagesInTrail() throws -> [String] {
        let out = try git(["log", "--reverse", "--format=%(trailers:key=Review-Stage,valueonly)", "trail"]).stdout
        return out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func tip() throws -> String { try git(["rev-parse", "trail"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// The example review's stage ids, read from its workflow.json.
func exampleStageIDs() throws -> [String] {
    let data = try Data(contentsOf: RepositoryPaths.packageRoot.appendingPathComponent("workflow.json"))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let stages = try #require(object["stages"] as? [[String: Any]])
    return stages.compactMap { $0["id"] as? String }
}

/// True when the binary the tests run exists (make test builds it first).
var reviewBinaryExists: Bool { FileManager.default.isExecutableFile(atPath: RepositoryPaths.reviewBinary) }

/// Loads, changes and writes back a workflow.json as a JSON object.
func editWorkflow(in folder: URL, _ change: (inout [String: Any]) throws -> Void) throws {
    let url = folder.appendingPathComponent("workflow.json")
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    try change(&object)
    try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
}

/// A step of a workflow object, by stage and step index.
func withStep(_ object: inout [String: Any], stage: Int, step: Int, _ change: (inout [String: Any]) -> Void) {
    guard var stages = object["stages"] as? [[String: Any]], var steps = stages[stage]["steps"] as? [[String: Any]] else { return }
    change(&steps[step])
    stages[stage]["steps"] = steps
    object["stages"] = stages
}
