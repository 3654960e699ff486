import ArgumentParser
import Foundation
import RunnerCore
import Stages
import WorkflowModel

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the stale steps in order and commit one trail snapshot per stage that ran.")

    @OptionGroup var options: ReviewOptions
    @Argument(help: ArgumentHelp("Stages or steps (STAGE/STEP) to run, with what they depend on; all by default.", valueName: "STAGE|STAGE/STEP"))
    var targets: [String] = []
    @Flag(help: "Run the named steps even when they are up to date.") var force = false
    @Flag(help: "Show what would run and why, and change nothing.") var dryRun = false

    func run() throws {
        let folder = try options.loadFolder()
        let runner = Runner(folder: folder, registry: BuiltinSteps.registry, progress: { Output.progress($0) })
        let report = try runner.run(RunOptions(targets: targets, force: force, dryRun: dryRun))
        if dryRun {
            if report.planned.isEmpty { print("Everything is up to date; nothing would run.") }
            for step in report.planned { print("would run \(step.step): \(step.reasons.map(\.description).joined(separator: "; "))") }
            print("(steps downstream of these run too when their inputs change)")
            return
        }
        if report.snapshots.isEmpty {
            print("Everything is up to date (\(report.upToDate.count) steps); no snapshot made.")
        }
        for snapshot in report.snapshots { print("\(snapshot.commit.prefix(7)) \(snapshot.summary)") }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Say, per step, whether it is up to date and why not.")

    @OptionGroup var options: ReviewOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let folder = try options.loadFolder()
        let report = try Runner(folder: folder, registry: BuiltinSteps.registry, progress: { Output.progress($0) }).status()
        if json {
            Output.json(
                .object([
                    JSONMember("tip", report.tip.map { .string($0) } ?? .null),
                    JSONMember(
                        "steps",
                        .array(
                            report.steps.map { step in
                                .object([
                                    JSONMember("step", .string(step.step)),
                                    JSONMember("stage", .string(step.stage)),
                                    JSONMember("state", .string(step.upToDate ? (step.waitingFor == nil ? "up-to-date" : "waiting") : "stale")),
                                    JSONMember("waiting_for", step.waitingFor.map { .string($0) } ?? .null),
                                    JSONMember("last_snapshot", step.lastSnapshot.map { .string($0) } ?? .null),
                                    JSONMember(
                                        "reasons",
                                        .array(step.reasons.map { reason in
                                            .object([
                                                JSONMember("kind", .string(reason.kind)), JSONMember("path", reason.path.map { .string($0) } ?? .null),
                                                JSONMember("text", .string(reason.description)),
                                            ])
                                        })),
                                ])
                            })),
                    JSONMember("undeclared", .array(report.undeclared.map { .string($0) })),
                ]))
            return
        }
        for step in report.steps {
            if step.upToDate && step.waitingFor == nil {
                print("up to date  \(step.step)")
            } else if step.upToDate, let waiting = step.waitingFor {
                print("waiting     \(step.step) (runs if \(waiting) changes its outputs)")
            } else {
                print("stale       \(step.step): \(step.reasons.map(\.description).joined(separator: "; "))")
            }
        }
        for file in report.undeclared { print("undeclared  \(file) (in an out/ folder but no step declares it)") }
    }
}
