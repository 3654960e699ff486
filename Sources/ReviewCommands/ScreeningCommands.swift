import ArgumentParser
import Foundation
import RunnerCore
import Stages

struct Screening: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screening", abstract: "Work with screening decision files (no workflow.json needed).",
        subcommands: [ScreeningAgreementCommand.self])
}

struct ScreeningAgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Agreement of two decision files (record_id,decision,reason,note) on the records both screened: percent agreement, Cohen's kappa with its 95% interval, conflicts.")

    @Argument(help: "The first reviewer's decision file.") var a: String
    @Argument(help: "The second reviewer's decision file.") var b: String
    @Flag(help: "Print agreement-<phase>.json's JSON (sorted keys) instead of a sentence.") var json = false

    func run() throws {
        let result = try ScreeningAgreementResult.compare(a, b)
        if json {
            print(result.json, terminator: "")
        } else {
            print(result.sentence)
            if !result.conflicts.isEmpty { print("conflicts: " + result.conflicts.joined(separator: ", ")) }
        }
    }
}
