import Foundation
import ReviewTestSupport
import Testing

@Suite(.enabled(if: reviewBinaryExists, "build the release binary first (make test does)"))
struct CommandStepTests {
    static let workflow = """
        {"version": 1, "stages": [{"id": "2-work", "steps": [
          {"id": "env", "run": ["sh", "-c", "env | sort > {outputs[0]}; printf '%s\\\\n' \\"$REVIEW_INPUT_0\\" > {outputs[1]}; echo 'environment listed' > \\"$REVIEW_SUMMARY\\"; echo 'files=2' >> \\"$REVIEW_SUMMARY\\""],
           "env": ["KEEP_THIS"],
           "inputs": ["stages/2-work/in/*.txt"],
           "outputs": ["stages/2-work/out/env.txt", "stages/2-work/out/inputs.txt"]}]}]}
        """

    @Test func environmentIsClearedToTheDeclaredVariables() throws {
        try withTemporaryDirectory { dir in
            try writeFile(Self.workflow, to: dir.appendingPathComponent("workflow.json"))
            try writeFile("a\n", to: dir.appendingPathComponent("stages/2-work/in/b.txt"))
            try writeFile("b\n", to: dir.appendingPathComponent("stages/2-work/in/a.txt"))
            let review = ReviewBinary(folder: dir)
            let result = try review.run("run", environment: ["KEEP_THIS": "kept", "DROP_THIS": "secret"])
            #expect(result.status == 0, "\(result.stderr)")
            let environment = try readFile(dir.appendingPathComponent("stages/2-work/out/env.txt"))
            let names = Set(environment.split(separator: "\n").filter { $0.contains("=") }.compactMap { $0.split(separator: "=").first.map(String.init) })
            #expect(environment.contains("PATH=/usr/local/bin:/usr/bin:/bin\n"))
            #expect(environment.contains("LANG=C.UTF-8\n"))
            #expect(environment.contains("KEEP_THIS=kept\n"))
            #expect(!environment.contains("DROP_THIS"))
            let allowed: Set<String> = ["PATH", "HOME", "LANG", "KEEP_THIS", "PWD", "SHLVL", "_", "REVIEW_SUMMARY", "REVIEW_INPUT_0", "REVIEW_OUTPUT_0", "REVIEW_OUTPUT_1", "OLDPWD"]
            #expect(names.isSubset(of: allowed), "unexpected variables: \(names.subtracting(allowed))")
            #expect(try readFile(dir.appendingPathComponent("stages/2-work/out/inputs.txt")) == "stages/2-work/in/a.txt\nstages/2-work/in/b.txt\n")
            #expect(try review.git(["log", "-1", "--format=%s", "trail"]).stdout == "2-work: environment listed\n")
            let log = try review.git(["show", "trail:.trail/logs/2-work/env.stderr"])
            #expect(log.status == 0)
            let manifest = try review.git(["show", "trail:.trail/manifest.json"]).stdout
            #expect(manifest.contains("\"files\": 2"))
        }
    }
}
