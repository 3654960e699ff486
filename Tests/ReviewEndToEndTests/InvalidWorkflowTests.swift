import Foundation
import ReviewTestSupport
import Testing

/// Each invalid workflow.json: how to break the example's, and what the one-line message must name.
let invalidWorkflowCases: [(name: String, expected: [String], change: @Sendable (inout [String: Any], URL) throws -> Void)] = [
    ("unknown key", ["colour", "unknown key"], { object, _ in object["colour"] = "red" }),
    ("missing field", ["stages[0].steps[0]", "missing required field \"outputs\""], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["outputs"] = nil }
    }),
    ("duplicate stage id", ["stages[1].id", "duplicate stage id \"1-question\""], { object, _ in
        var stages = object["stages"] as? [[String: Any]] ?? []
        stages[1]["id"] = "1-question"
        object["stages"] = stages
    }),
    ("version too high", ["version", "higher than this runner supports"], { object, _ in object["version"] = 2 }),
    ("path through ..", ["stages[0].steps[0].inputs[0]", "'..'"], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["inputs"] = ["../protocol.json"] }
    }),
    ("absolute path", ["stages[0].steps[0].outputs[0]", "absolute"], { object, _ in
        withStep(&object, stage: 0, step: 0) { step in
            var outputs = step["outputs"] as? [String] ?? []
            outputs[0] = "/tmp/protocol.json"
            step["outputs"] = outputs
        }
    }),
    ("symlink out of the folder", ["stages[0].steps[0].inputs[0]", "symlink"], { object, folder in
        let link = folder.appendingPathComponent("stages/linked")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc")
        withStep(&object, stage: 0, step: 0) { $0["inputs"] = ["stages/linked/hostname"] }
    }),
    ("glob that matches nothing", ["stages[0].steps[0].inputs[0]", "matches no file"], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["inputs"] = ["stages/1-question/*.xml"] }
    }),
    ("output declared twice", ["also declared by 1-question/protocol"], { object, _ in
        withStep(&object, stage: 1, step: 0) { step in
            var outputs = step["outputs"] as? [String] ?? []
            outputs[0] = "stages/1-question/out/protocol.json"
            step["outputs"] = outputs
        }
    }),
    ("reads a later step's output", ["stages[0].steps[0].inputs[1]", "(a cycle)"], { object, _ in
        let stages = object["stages"] as? [[String: Any]] ?? []
        let later = ((stages[1]["steps"] as? [[String: Any]])?[0]["outputs"] as? [String])?[0] ?? ""
        withStep(&object, stage: 0, step: 0) { step in
            step["uses"] = nil
            step["run"] = ["cat", "{inputs[0]}"]
            step["inputs"] = ["stages/1-question/protocol.json", later]
        }
    }),
    ("both uses and run", ["stages[0].steps[0]", "both \"uses\" and \"run\""], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["run"] = ["true"] }
    }),
    ("neither uses nor run", ["stages[0].steps[0]", "neither \"uses\" nor \"run\""], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["uses"] = nil }
    }),
    ("unknown built-in", ["stages[0].steps[0].uses", "unknown built-in step \"protocol/check\""], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["uses"] = "protocol/check" }
    }),
    ("parameter not accepted", ["stages[0].steps[0].with.level", "does not accept the parameter \"level\""], { object, _ in
        withStep(&object, stage: 0, step: 0) { $0["with"] = ["level": 3] }
    }),
]

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct InvalidWorkflowTests {
    @Test(arguments: 0..<invalidWorkflowCases.count)
    func invalidWorkflowExitsTwoWithOneLine(_ index: Int) throws {
        let testCase = invalidWorkflowCases[index]
        try withTemporaryDirectory { dir in
            try copyExampleReview(to: dir)
            let review = ReviewBinary(folder: dir)
            #expect(try review.run("run", ["1-question"]).status == 0)
            let tip = try review.tip()
            let output = try readFile(dir.appendingPathComponent("stages/1-question/out/protocol.json"))
            try editWorkflow(in: dir) { try testCase.change(&$0, dir) }
            for command in ["status", "run"] {
                let result = try review.run(command)
                #expect(result.status == 2, "\(testCase.name) (\(command)): exit \(result.status) \(result.stderr)")
                let lines = result.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(testCase.name): \(result.stderr)")
                #expect(result.stderr.hasPrefix("review: error: workflow.json:"), "\(testCase.name): \(result.stderr)")
                for phrase in testCase.expected { #expect(result.stderr.contains(phrase), "\(testCase.name): \(result.stderr)") }
            }
            #expect(try review.tip() == tip)
            #expect(try readFile(dir.appendingPathComponent("stages/1-question/out/protocol.json")) == output)
        }
    }
}
